import { decodeFile, diffHunks } from '../edits';

/**
 * The two costly steps between staged bytes and what a reviewer reads: decoding a file and diffing
 * two texts. The change set does each once per file (and landing decodes only a file the user has
 * changed since); the seam lets a test count them and so keep it that way.
 */
export interface ReviewCodec {
  readonly decode: typeof decodeFile;
  readonly diff: typeof diffHunks;
}

export const reviewCodec: ReviewCodec = { decode: decodeFile, diff: diffHunks };
