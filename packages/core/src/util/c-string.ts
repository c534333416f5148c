/**
 * Redis compares option names with strcasecmp and formats arguments into errors with %s:
 * both see an argument as a C string, which ends at its first NUL byte. So "nx\0junk" is
 * the option NX, and "ERR Unsupported option foo" answers "foo\0bar". These helpers give
 * the same view of a latin1 argument.
 */

/**
 * Whether `arg` names the option `lowerName` as strcasecmp sees it. `lowerName` must be
 * lowercase ASCII letters only, which makes `| 0x20` an exact case fold.
 */
export function optionIs(arg: string, lowerName: string): boolean {
  const length = lowerName.length;
  if (arg.length < length || (arg.length > length && arg.charCodeAt(length) !== 0)) return false;
  for (let i = 0; i < length; i++) if ((arg.charCodeAt(i) | 0x20) !== lowerName.charCodeAt(i)) return false;
  return true;
}

/** `text` up to its first NUL byte: what C's %s prints of it, and what strcasecmp compares. */
export function cString(text: string): string {
  const nul = text.indexOf("\0");
  return nul < 0 ? text : text.slice(0, nul);
}
