import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { BooksError } from '@books/core';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * The entries of a zip archive as `sls package` builds it (stored or deflated entries, no zip64, no
 * encryption), read from its central directory; a directory entry (name ending in `/`) has no data.
 */
export function zipEntries(zipFile: string): ZipEntry[] {
  const zip = readFileSync(zipFile);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || zip.readUInt32LE(eocd) !== END_OF_CENTRAL_DIRECTORY)
    throw new BooksError('ARTIFACT', `${zipFile} is not a zip file`, { zipFile });
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER)
      throw new BooksError('ARTIFACT', `${zipFile}: corrupt central directory`, { zipFile });
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) {
      entries.push({ name, data: Buffer.alloc(0) });
      continue;
    }
    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER)
      throw new BooksError('ARTIFACT', `${zipFile}: corrupt entry ${name}`, { zipFile, name });
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== 0 && method !== 8)
      throw new BooksError('ARTIFACT', `${zipFile}: entry ${name} uses compression method ${method}`, {
        zipFile,
        name,
      });
    entries.push({ name, data: method === 8 ? inflateRawSync(data) : Buffer.from(data) });
  }
  return entries;
}

/**
 * Extracts a function's zip into `dir`, as Lambda unpacks it into its task root. Returns the
 * extracted files' paths, relative to `dir`. An entry that would land outside `dir` is refused.
 */
export function unzipInto(zipFile: string, dir: string): string[] {
  const root = resolve(dir);
  const files: string[] = [];
  for (const { name, data } of zipEntries(zipFile)) {
    const target = resolve(root, name);
    if (relative(root, target).startsWith('..'))
      throw new BooksError('ARTIFACT', `${zipFile}: entry ${name} escapes the task root`, { zipFile, name });
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    files.push(relative(root, join(root, name)));
  }
  return files;
}
