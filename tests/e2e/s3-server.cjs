// The loopback S3 server: s3rver 3.7.1 (npm) with its ListObjects delimiter handling fixed. s3rver
// prunes every directory more than one level below the prefix before it looks for common prefixes, so
// listing "traces/" with delimiter "/" returns no tenant when the objects are traces/<tenant>/<block>/meta.json
// (Tempo's layout): Tempo's blocklist poll then finds no block. Here a delimited listing is computed from
// the full listing below the prefix instead.
// Usage: node s3-server.cjs <dir> <port> <bucket> <tls key> <tls cert>
'use strict';
const { readFileSync } = require('node:fs');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

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
