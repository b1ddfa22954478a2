// The loopback S3 server: s3rver 3.7.1 (npm) with its ListObjects delimiter handling fixed. s3rver
// prunes every directory more than one level below the prefix before it looks for common prefixes, so
// listing "traces/" with delimiter "/" returns no tenant when the objects are traces/<tenant>/<block>/meta.json
// (Tempo's layout): Tempo's blocklist poll then finds no block. Here a delimited listing is computed from
// the full listing below the prefix instead.
// Writes are made atomic, as S3's are: s3rver truncates the object file and streams into it, and answers the
// PUT before the file is complete, so a concurrent GET read a cut-off object (Tempo 3.0.3's pollers logged
// "failed to read tenant index proto: unexpected EOF" while another rewrote the index, and
// TempoTenantIndexFailures fired on a healthy stack). Here a PUT writes a temporary file, waits until it is
// closed and renames it into place; a GET opens the file first and takes its length from that same file.
// Usage: node s3-server.cjs <dir> <port> <bucket> <tls key> <tls cert>
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const { readFileSync } = fs;
const { dirname } = require('node:path');
const { pipeline } = require('node:stream/promises');
const S3rver = require('s3rver');
const S3Object = require('s3rver/lib/models/object');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

let temporaries = 0;
/** Write `content` (a Buffer or a stream) next to `file`, then rename it over `file`: readers see old or new. */
async function writeAtomically(file, content) {
  const partial = `${file}.partial-${process.pid}-${temporaries++}`; // not a *._S3rver_object name: never listed
  const md5 = createHash('md5');
  let size = 0;
  const source = Buffer.isBuffer(content) || typeof content === 'string' ? [Buffer.from(content)] : content;
  await pipeline(
    source,
    async function* (chunks) {
      for await (const chunk of chunks) {
        md5.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    fs.createWriteStream(partial),
  );
  await fs.promises.rename(partial, file);
  return { size, md5: md5.digest('hex') };
}

FilesystemStore.prototype.putObject = async function putObject(object) {
  const file = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(dirname(file), { recursive: true });
  const { size, md5 } = await writeAtomically(file, object.content);
  await writeAtomically(this.getResourcePath(object.bucket, object.key, 'object.md5'), md5);
  const stored = Object.fromEntries(
    Object.entries(object.metadata).filter(([k]) => S3Object.ALLOWED_METADATA.includes(k) || k.startsWith('x-amz-meta-')),
  );
  await writeAtomically(this.getResourcePath(object.bucket, object.key, 'metadata.json'), JSON.stringify(stored, null, 2));
  return { size, md5 };
};

FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
  let fd;
  try {
    fd = await fs.promises.open(this.getResourcePath(bucket, key, 'object'), 'r');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  const stat = await fd.stat();
  const metadata = { ...(await this.getMetadata(bucket, key).catch(() => ({}))), 'content-length': stat.size, 'last-modified': stat.mtime.toUTCString() };
  const lastByte = Math.max(0, stat.size - 1);
  const range = { start: options?.start || 0, end: Math.min(options?.end || Number.POSITIVE_INFINITY, lastByte) };
  const ranged = options && (options.start !== undefined || options.end);
  if (range.start < 0 || range.end < range.start) {
    await fd.close();
    const object = new S3Object(bucket, key, null, metadata);
    if (ranged) object.range = range;
    return object;
  }
  const object = new S3Object(bucket, key, fd.createReadStream({ start: range.start, end: range.end }), metadata);
  if (ranged) object.range = range;
  return object;
};

const listAll = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', prefix = '', maxKeys = Infinity, startAfter = '' } = options;
  if (!delimiter) return listAll.call(this, bucket, options);
  const below = await listAll.call(this, bucket, { prefix, startAfter });
  const objects = [];
  const commonPrefixes = new Set();
  let isTruncated = false;
  for (const o of [...below.objects].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const rest = o.key.slice(prefix.length);
    const at = rest.indexOf(delimiter);
    if (at !== -1) {
      commonPrefixes.add(prefix + rest.slice(0, at + delimiter.length));
      continue;
    }
    if (objects.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    objects.push(o);
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
};

const [directory, port, bucket, key, cert] = process.argv.slice(2);
new S3rver({ directory, address: '127.0.0.1', port: Number(port), silent: true, key: readFileSync(key), cert: readFileSync(cert), configureBuckets: [{ name: bucket, configs: [] }] })
  .run()
  .then(({ address, port: bound }) => console.log(`s3rver listening on ${address}:${bound}`))
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
