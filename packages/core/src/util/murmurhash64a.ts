/*
 * MurmurHash64A (MurmurHash2, 64-bit), the hash Redis's HyperLogLog feeds every element
 * through: the register index and run length of PFADD come from it, so HLL strings are
 * byte-identical to redis-server's only if this matches bit for bit. Redis reads the 8-byte
 * blocks little-endian on every architecture, as done here.
 *
 * The 64-bit state is kept as two unsigned 32-bit halves in Numbers: BigInt would allocate
 * per operation on the PFADD hot path. Results come back through `hashHigh`/`hashLow`.
 */

const M_HIGH = 0xc6a4a793;
const M_LOW = 0x5bd1e995;

/** High and low 32 bits (unsigned) of the last hash computed. */
export let hashHigh = 0;
export let hashLow = 0;

let productHigh = 0;
let productLow = 0;

/** (aHigh:aLow) * (bHigh:bLow) mod 2^64 into productHigh:productLow. */
function multiply64(aHigh: number, aLow: number, bHigh: number, bLow: number): void {
  // aLow * bLow needs all 64 bits: split both into 16-bit limbs so every partial product is exact.
  const a0 = aLow & 0xffff;
  const a1 = aLow >>> 16;
  const b0 = bLow & 0xffff;
  const b1 = bLow >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  productLow = (((middle & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + Math.floor(p01 / 0x10000) + Math.floor(p10 / 0x10000) + (middle >>> 16);
  productHigh = (carry + Math.imul(aHigh, bLow) + Math.imul(aLow, bHigh)) >>> 0;
}

/** MurmurHash64A of the latin1 string `data` (one byte per char) with a 32-bit seed. */
export function murmurHash64A(data: string, seed: number): void {
  const length = data.length;
  multiply64(0, length >>> 0, M_HIGH, M_LOW);
  let high = productHigh;
  let low = (productLow ^ seed) >>> 0;
  const blocksEnd = length - (length & 7);
  let i = 0;
  for (; i < blocksEnd; i += 8) {
    const kLow =
      (data.charCodeAt(i) | (data.charCodeAt(i + 1) << 8) | (data.charCodeAt(i + 2) << 16) | (data.charCodeAt(i + 3) << 24)) >>> 0;
    const kHigh =
      (data.charCodeAt(i + 4) | (data.charCodeAt(i + 5) << 8) | (data.charCodeAt(i + 6) << 16) | (data.charCodeAt(i + 7) << 24)) >>> 0;
    multiply64(kHigh, kLow, M_HIGH, M_LOW);
    // k ^= k >> 47: only the top 17 bits move, into the low half.
    multiply64(productHigh, (productLow ^ (productHigh >>> 15)) >>> 0, M_HIGH, M_LOW);
    multiply64((high ^ productHigh) >>> 0, (low ^ productLow) >>> 0, M_HIGH, M_LOW);
    high = productHigh;
    low = productLow;
  }
  const tail = length & 7;
  if (tail !== 0) {
    // The remaining bytes are xored in at their little-endian positions, then one multiply.
    for (let j = tail - 1; j >= 0; j--) {
      const byte = data.charCodeAt(i + j);
      if (j >= 4) high ^= byte << ((j - 4) * 8);
      else low ^= byte << (j * 8);
    }
    multiply64(high >>> 0, low >>> 0, M_HIGH, M_LOW);
    high = productHigh;
    low = productLow;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  multiply64(high, (low ^ (high >>> 15)) >>> 0, M_HIGH, M_LOW);
  hashHigh = productHigh;
  hashLow = (productLow ^ (productHigh >>> 15)) >>> 0;
}

/** The last hash as a bigint (tests, debugging). */
export function lastHash(): bigint {
  return (BigInt(hashHigh) << 32n) | BigInt(hashLow);
}
