#!/usr/bin/env node
// Starts s3rver (npm, the real server the S3 tests use) with two corrections that make it answer
// as AWS S3 does, then hands over to s3rver's own command line (same arguments):
//  1. ListObjects with a delimiter rolls keys at any depth up into common prefixes. s3rver 3.7
//     stops walking the bucket one level below the prefix, so "wh/" with delimiter "/" lists no
//     "wh/sales/" when the only keys are "wh/sales/orders/...".
//  2. PUT with `If-None-Match: *` (S3's conditional write, 2024) answers 412 PreconditionFailed
//     when the key exists or another conditional PUT of it is under way; s3rver ignores the header.
'use strict';

const path = require('path');

const root = path.join(__dirname, 'node_modules', 's3rver');
const FilesystemStore = require(path.join(root, 'lib', 'stores', 'filesystem.js'));
const objectController = require(path.join(root, 'lib', 'controllers', 'object.js'));
const S3Error = require(path.join(root, 'lib', 'models', 'error.js'));

const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const { delimiter = '', prefix = '', maxKeys = Infinity } = options;
  if (!delimiter) return listObjects.call(this, bucket, options);
  const all = await listObjects.call(this, bucket, { ...options, delimiter: '', maxKeys: Infinity });
  const prefixes = new Set();
  const objects = [];
  let isTruncated = false;
  for (const object of all.objects) {
    const rest = object.key.slice(prefix.length);
    const at = rest.indexOf(delimiter);
    if (at !== -1) {
      prefixes.add(prefix + rest.slice(0, at + delimiter.length));
    } else if (objects.length < maxKeys) {
      objects.push(object);
    } else {
      isTruncated = true;
      break;
    }
  }
  return { objects, commonPrefixes: [...prefixes].sort(), isTruncated };
};

const putObject = objectController.putObject;
const pending = new Set();
objectController.putObject = async function (ctx) {
  if (ctx.headers['if-none-match'] !== '*') return putObject(ctx);
  const id = `${ctx.params.bucket}/${ctx.params.key}`;
  const failed = () =>
    new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-None-Match',
    });
  if (pending.has(id)) throw failed();
  pending.add(id);  // before any await: the check and the write are one step for other requests
  try {
    if (await ctx.store.existsObject(ctx.params.bucket, ctx.params.key)) throw failed();
    return await putObject(ctx);
  } finally {
    pending.delete(id);
  }
};

require(path.join(root, 'bin', 's3rver.js'));
