// Text cut into rows for a fixed width, for text that must be shown whole (dialogs, status lines).
/**
 * A line cut into rows of at most `width` characters at word boundaries (a preview is shown whole,
 * never cut off); a word longer than a row is cut. Continuation rows keep the line's indent.
 */
export function wrapRow(line: string, width: number): string[] {
  if (line.length <= width || width < 8) return [line];
  const indent = /^\s*/.exec(line)![0].slice(0, Math.floor(width / 2));
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= indent.length) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = indent + rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}
