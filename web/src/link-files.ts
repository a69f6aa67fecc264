/**
 * Dropped files in a link: the files as a zip (fflate, deflated) in base64url, in the URL's fragment (`#files=...`),
 * which browsers do not send to a server. Links longer than LINK_LIMIT characters break in mail and chat, so larger
 * files stay out of the link and the page says so.
 */
import { unzipSync, zipSync } from 'fflate';
import { InputError } from '../../src/errors.js';

/** The most characters of files a link carries. */
export const LINK_LIMIT = 32_000;

export interface LinkFile {
  name: string;
  bytes: Uint8Array;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** The fragment value for these files (in order), or null when it would be longer than `limit` characters. */
export function encodeFiles(files: readonly LinkFile[], limit = LINK_LIMIT): string | null {
  // entries are numbered so that the order (which the page's drop handling follows) survives the zip
  const entries: Record<string, Uint8Array> = {};
  files.forEach((f, i) => (entries[`${i}/${f.name}`] = f.bytes));
  const text = toBase64Url(zipSync(entries, { level: 9 }));
  return text.length <= limit ? text : null;
}

/** The files of a `#files=` fragment value; a damaged one is an InputError naming the link. */
export function decodeFiles(text: string): LinkFile[] {
  let entries: Record<string, Uint8Array>;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
    entries = unzipSync(fromBase64Url(text));
  } catch {
    throw new InputError('link', '#files', 'the files of a link made by this page (base64url of a zip)', 'a damaged value');
  }
  return Object.entries(entries)
    .map(([path, bytes]) => ({ order: Number(path.split('/')[0]), name: path.slice(path.indexOf('/') + 1), bytes }))
    .filter((e) => Number.isInteger(e.order) && e.name !== '')
    .sort((a, b) => a.order - b.order)
    .map(({ name, bytes }) => ({ name, bytes }));
}
