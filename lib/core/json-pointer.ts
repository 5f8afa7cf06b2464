/**
 * JSON Pointers (RFC 6901), as every finding and problem names a field: `~` is written `~0` and
 * `/` is written `~1` inside a token, so `/metadata/annotations/example.com~1note` points at the
 * annotation `example.com/note`.
 */

/** One token of a pointer (`example.com/note` -> `example.com~1note`). */
export function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The pointer of a path from the root (`['a', 'b/c', 0]` -> `/a/b~1c/0`); `''` for the root. */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((p) => `/${pointerToken(p)}`).join('');
}
