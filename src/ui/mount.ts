// Renders the cockpit with the Ink options a full-screen dashboard needs, and
// repaints the whole screen once after a resize: a terminal that reflows its lines when it
// narrows leaves wrapped remnants that Ink's line diff does not know about.
import { cloneElement, type ReactElement } from 'react';
import { render, type Instance } from 'ink';

export interface MountOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  maxFps: number;
}

export function mountCockpit(element: ReactElement, o: MountOptions): Instance {
  const instance = render(element, {
    stdout: o.stdout,
    stdin: o.stdin,
    // A terminal is interactive even where CI=true is set (Ink would otherwise draw nothing until exit).
    interactive: Boolean(o.stdout.isTTY),
    alternateScreen: true,
    incrementalRendering: true,
    maxFps: o.maxFps,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  let timer: NodeJS.Timeout | null = null;
  let repaints = 0;
  // Debounced: dragging a window edge sends many resizes; one full repaint at the end is enough.
  const repaint = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      instance.clear();
      // Erase the whole screen too (reflowed remnants lie outside what Ink erases), cursor home.
      o.stdout.write('\x1b[2J\x1b[H');
      // A new prop makes React commit, and Ink writes a whole frame after clear().
      instance.rerender(cloneElement(element as ReactElement<{ repaint?: number }>, { repaint: ++repaints }));
    }, 50);
  };
  o.stdout.on('resize', repaint);
  const unmount = instance.unmount.bind(instance);
  instance.unmount = (...args: Parameters<Instance['unmount']>) => {
    o.stdout.off('resize', repaint);
    if (timer) clearTimeout(timer);
    return unmount(...args);
  };
  return instance;
}
