/**
 * LZF decompression (liblzf's lzf_decompress), used by Redis for RDB strings
 * longer than 20 bytes when rdbcompression is on. Returns undefined when the input
 * is corrupt or does not expand to exactly `expectedLength` bytes.
 *
 * Each control byte is either a literal run (< 32: copy ctrl+1 bytes) or a back
 * reference (length in the top 3 bits, 7 meaning "read one more length byte";
 * distance from 13 bits split over the control byte and the next byte).
 */
export function lzfDecompress(input: Uint8Array, expectedLength: number): Buffer | undefined {
  const output = Buffer.allocUnsafe(expectedLength);
  let inputAt = 0;
  let outputAt = 0;
  while (inputAt < input.length) {
    const control = input[inputAt++]!;
    if (control < 32) {
      const runLength = control + 1;
      if (inputAt + runLength > input.length || outputAt + runLength > expectedLength) return undefined;
      output.set(input.subarray(inputAt, inputAt + runLength), outputAt);
      inputAt += runLength;
      outputAt += runLength;
      continue;
    }
    let length = control >>> 5;
    if (length === 7) {
      if (inputAt >= input.length) return undefined;
      length += input[inputAt++]!;
    }
    if (inputAt >= input.length) return undefined;
    let reference = outputAt - ((control & 0x1f) << 8) - 1 - input[inputAt++]!;
    length += 2;
    if (reference < 0 || outputAt + length > expectedLength) return undefined;
    // Byte by byte on purpose: a reference may overlap the bytes it is producing (runs).
    for (let i = 0; i < length; i++) output[outputAt++] = output[reference++]!;
  }
  return outputAt === expectedLength ? output : undefined;
}
