// Renders the cockpit with the Ink options a full-screen dashboard needs. On a terminal the
// frames go through the cell-level output stage (./output/stage.ts): only changed cells are
// written. WARROOM_INK_OUTPUT=1 (or a screen reader, or a stdout that is not a terminal) keeps
// Ink's own line-level output. Either way the whole screen is repainted once after a resize: a
// terminal that reflows its lines when it narrows leaves wrapped remnants no diff knows about.
import React, { cloneElement, Fragment, type ReactElement } from 'react';
import { Box, render, useApp, type DOMElement, type Instance } from 'ink';
import { CellStage, mutedStdout } from './output/stage.js';
import type { InkNode } from './output/paint-tree.js';

export interface MountOptions {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  maxFps: number;
  /** false: Ink's own output (the reference the benchmark compares with). Default: the cell stage on a terminal. */
  cellOutput?: boolean;
}

/** The mounted cockpit; `handOff` lends the terminal to `fn` (a kubectl shell) and repaints everything after. */
export type MountedCockpit = Instance & { handOff<T>(fn: () => Promise<T>): Promise<T> };

type SuspendTerminal = ReturnType<typeof useApp>['suspendTerminal'];

/** Ink's suspendTerminal lives in its app context: a component that renders nothing hands it out. */
function withSuspend(element: ReactElement, grab: (s: SuspendTerminal) => void): ReactElement {
  const Grab = () => {
    grab(useApp().suspendTerminal);
    return null;
  };
  return React.createElement(Fragment, null, React.createElement(Grab), element);
}

export function mountCockpit(element: ReactElement, o: MountOptions): MountedCockpit {
  const useStage = (o.cellOutput ?? process.env.WARROOM_INK_OUTPUT !== '1') && Boolean(o.stdout.isTTY) && process.env.INK_SCREEN_READER !== 'true';
  return useStage ? mountWithStage(element, o) : mountWithInk(element, o);
}

function mountWithStage(element: ReactElement, o: MountOptions): MountedCockpit {
  const stage = new CellStage(o.stdout, { maxFps: o.maxFps });
  let root: InkNode | null = null;
  // A first, empty commit gives a ref to a DOM node, whose parent is Ink's root node.
  const capture = (node: DOMElement | null) => {
    let n = node as unknown as InkNode | null;
    while (n && n.nodeName !== 'ink-root') n = n.parentNode ?? null;
    if (n && !root) root = n;
  };
  const instance = render(React.createElement(Box, { ref: capture }), {
    stdout: mutedStdout(o.stdout),
    stdin: o.stdin,
    interactive: true,
    alternateScreen: false,
    incrementalRendering: false,
    maxFps: o.maxFps,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  const r = root as (InkNode & { onRender?: () => void; onImmediateRender?: () => void }) | null;
  if (!r || typeof r.onRender !== 'function' || !r.yogaNode) {
    // Not the Ink this stage was written for: draw with Ink's own output instead.
    instance.unmount();
    return mountWithInk(element, o);
  }
  stage.attach(r);
  let suspend: SuspendTerminal | null = null;
  const show = (el: ReactElement) => instance.rerender(withSuspend(el, (s) => (suspend = s)));
  show(element);

  let timer: NodeJS.Timeout | null = null;
  let repaints = 0;
  const repaint = () => {
    stage.invalidate();
    // A new prop makes React commit (a whole frame, the grid being unknown).
    show(cloneElement(element as ReactElement<{ repaint?: number }>, { repaint: ++repaints }));
  };
  // The commit that follows the new size redraws everything; once more when a drag of the window edge has settled.
  const onResize = () => {
    stage.invalidate();
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      repaint();
    }, 50);
  };
  o.stdout.on('resize', onResize);
  const flush = instance.waitUntilRenderFlush.bind(instance);
  instance.waitUntilRenderFlush = async () => {
    await flush();
    stage.flush();
  };
  instance.clear = () => {
    stage.invalidate();
    o.stdout.write('\x1b[0m\x1b[H\x1b[2J');
  };
  const unmount = instance.unmount.bind(instance);
  instance.unmount = (...args: Parameters<Instance['unmount']>) => {
    o.stdout.off('resize', onResize);
    if (timer) clearTimeout(timer);
    stage.flush();
    // The terminal first: the commit that empties the tree has nothing to draw.
    stage.leave();
    return unmount(...args);
  };
  const handOff = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!suspend) return fn();
    let result: T | undefined;
    // Ink lets go of the input; the stage gives the screen back, and takes it again before Ink resumes.
    await suspend(async () => {
      stage.leave();
      try {
        result = await fn();
      } finally {
        stage.attach(r);
      }
    });
    repaint();
    return result as T;
  };
  return Object.assign(instance, { handOff });
}

function mountWithInk(element: ReactElement, o: MountOptions): MountedCockpit {
  let suspend: SuspendTerminal | null = null;
  const wrap = (el: ReactElement) => withSuspend(el, (s) => (suspend = s));
  const instance = render(wrap(element), {
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
      instance.rerender(wrap(cloneElement(element as ReactElement<{ repaint?: number }>, { repaint: ++repaints })));
    }, 50);
  };
  o.stdout.on('resize', repaint);
  const unmount = instance.unmount.bind(instance);
  instance.unmount = (...args: Parameters<Instance['unmount']>) => {
    o.stdout.off('resize', repaint);
    if (timer) clearTimeout(timer);
    return unmount(...args);
  };
  const handOff = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!suspend) return fn();
    let result: T | undefined;
    await suspend(async () => {
      result = await fn();
    });
    repaint();
    return result as T;
  };
  return Object.assign(instance, { handOff });
}
