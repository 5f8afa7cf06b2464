/**
 * Sizing a diff for where it is posted. A comment is a head (summary, tables, pictures) and one
 * block per resource in reading order (destructive and security changes first). When the whole
 * does not fit, blocks are shortened from the END (the least severe first): a block first loses
 * its field lines (compact form: title and reasons), then is left out and only named in a compact
 * list at the bottom. Destructive and security changes are therefore the last to shrink. The
 * result never exceeds the budget (in UTF-8 bytes, which is never less than the characters
 * GitHub and GitLab count).
 */

/** Where a comment is posted, and the size that place accepts. */
export const POST_LIMITS: Readonly<Record<string, number>> = {
  /** GitHub issue and pull-request comments: 65,536 characters. */
  github: 65536,
  /** GitLab notes: 1,000,000 characters. */
  gitlab: 1000000,
};

/** One resource's part of the output, in three sizes. */
export interface Block {
  /** Everything: title, reasons, every field line. */
  readonly full: string;
  /** Title and reasons only. */
  readonly compact: string;
  /** Name in the list of resources left out (`Deployment forum/web`). */
  readonly name: string;
  /** Group in that list (the application folder). */
  readonly group: string;
}

/** UTF-8 size of a text. */
export function byteSize(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** How the left-out resources are listed (`group: a, b`), in the output's own syntax. */
export type OmittedList = (omitted: ReadonlyMap<string, readonly string[]>, total: number) => string;

/**
 * Joins `head` and the blocks (each on its own lines) within `maxBytes`, shortening and leaving
 * out blocks from the end as described above; `omittedList` renders the names left out. If even
 * the head and the list do not fit, the list falls back to counts per group, and as a last resort
 * the text is cut at a line boundary with a note: the limit always holds.
 */
export function fitBlocks(head: string, blocks: readonly Block[], omittedList: OmittedList, maxBytes: number, cutNote: string, extras?: Extras): string {
  // Extras (pictures) are shed first, from the last, before any block shrinks.
  if (extras && extras.items.length) {
    const kept = [...extras.items];
    const whole = () => byteSize(head) + kept.reduce((n, x) => n + byteSize(x), 0) + blocks.reduce((n, b) => n + byteSize(b.full) + 1, 0);
    while (kept.length && whole() + byteSize(extras.dropped(extras.items.length - kept.length)) > maxBytes) kept.pop();
    const dropped = extras.items.length - kept.length;
    head = `${head}${kept.join('')}${dropped ? extras.dropped(dropped) : ''}`;
  }
  const size = blocks.map((b) => [byteSize(b.full) + 1, byteSize(b.compact) + 1, 0]);
  const level = blocks.map(() => 0); // 0 full, 1 compact, 2 omitted
  const headSize = byteSize(head);
  let total = headSize + size.reduce((n, s) => n + s[0], 0);
  const listOf = () => {
    const groups = new Map<string, string[]>();
    blocks.forEach((b, i) => {
      if (level[i] !== 2) return;
      let g = groups.get(b.group);
      if (!g) groups.set(b.group, (g = []));
      g.push(b.name);
    });
    return groups;
  };
  const omittedCount = () => level.filter((l) => l === 2).length;
  const footer = () => (omittedCount() ? omittedList(listOf(), blocks.length) : '');
  let tail = footer();
  let cursor = blocks.length - 1;
  while (total + byteSize(tail) > maxBytes && cursor >= 0) {
    const i = cursor;
    if (level[i] === 0) {
      total += size[i][1] - size[i][0];
      level[i] = 1;
      // a compact block that still does not help enough is left out on the next round
      if (total + byteSize(tail) <= maxBytes) break;
      total += size[i][2] - size[i][1];
      level[i] = 2;
    }
    tail = footer();
    cursor--;
  }
  let text = head;
  blocks.forEach((b, i) => {
    if (level[i] === 0) text += `\n${b.full}`;
    else if (level[i] === 1) text += `\n${b.compact}`;
  });
  text += tail;
  if (byteSize(text) <= maxBytes) return text;
  // the names alone do not fit: counts per group instead
  const counts = new Map<string, string[]>();
  for (const [g, names] of listOf()) counts.set(g, [`${names.length} resource${names.length === 1 ? '' : 's'}`]);
  text = text.slice(0, text.length - tail.length) + omittedList(counts, blocks.length);
  if (byteSize(text) <= maxBytes) return text;
  return cutOutsideFence(text, maxBytes - byteSize(cutNote) - 1) + cutNote;
}

/**
 * Optional parts placed right after the head (Mermaid diagrams), each a string that starts with
 * its own separator; `dropped(n)` is the note that replaces the `n` left out (may be '').
 */
export interface Extras {
  readonly items: readonly string[];
  readonly dropped: (n: number) => string;
}

/** Like {@link cutAtLine}, but never inside a fenced code block: a cut inside one goes back to before its opening fence. */
export function cutOutsideFence(text: string, maxBytes: number): string {
  const cut = cutAtLine(text, maxBytes);
  let open: { at: number; fence: string } | undefined;
  let at = 0;
  for (const line of cut.split('\n')) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (!open) open = { at, fence: m[1] };
      else if (m[1][0] === open.fence[0] && m[1].length >= open.fence.length && line.trim() === m[1]) open = undefined;
    }
    at += line.length + 1;
  }
  return open ? cut.slice(0, open.at) : cut;
}

/** The longest prefix of `text` ending at a line break within `maxBytes`. */
export function cutAtLine(text: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let s = buf.subarray(0, maxBytes).toString('utf8');
  if (s.endsWith('\uFFFD')) s = s.slice(0, -1);
  const nl = s.lastIndexOf('\n');
  return nl >= 0 ? s.slice(0, nl + 1) : '';
}
