// The API contract: the OpenAPI document a root serves at /docs/json, for everything on its
// public port (public-routes.ts, as the root registers it). It must validate against the
// OpenAPI schema (@seriousme/openapi-schema-validator: the published JSON Schemas of each
// OpenAPI version, checked with ajv), and every operation must say what it is and what it
// answers: an operationId (unique), tags the document declares, a summary, a response schema for
// its success and for every error status it documents — 429 and 503 on every route — errors as
// { code, message }.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import packageJson from '../../package.json' with { type: 'json' };
import { fixture } from './root-fixture.ts';

type Schema = {
  type?: string;
  properties?: Record<string, unknown>;
  anyOf?: Schema[];
  $ref?: string;
};
type Response = { description?: string; content?: Record<string, { schema?: Schema }> };
type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, Response>;
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Statuses documented without a body. */
const BODILESS = new Set(['204', '304']);

/** Every operation on a root's public port: a route added without a contract fails here. */
const OPERATIONS = [
  'getHealth',
  'getReady',
  'getCheckpoint',
  'getTile',
  'getLedgerEntries',
  'getInclusionProof',
  'getConsistencyProof',
  'addCheckpoint',
  'getWorld',
  'getWorldChain',
  'getMembers',
  'listMotions',
  'getMotion',
  'submitStatement',
  'getStatementStatus',
  'getStatus',
  'getDecisions',
  'getEvidence',
  'getRecovery',
  'submitRecovery',
  'getFederation',
  'listSignedWorlds',
  'getSignedWorld',
  'getLatestPlanet',
  'getPlanet',
  'getLatestMoon',
  'getMoon',
];

/** Does this JSON schema describe an error body { code, message } (or offer one among its branches)? */
function isProblem(schema: Schema | undefined): boolean {
  if (schema === undefined) return false;
  if (schema.anyOf !== undefined) return schema.anyOf.some(isProblem);
  return schema.properties?.code !== undefined && schema.properties?.message !== undefined;
}

async function openapi(t: Parameters<typeof fixture>[0]): Promise<Document> {
  const { app } = await fixture(t, { routes: 'public' });
  const res = await app.inject('/docs/json');
  assert.equal(res.statusCode, 200);
  return res.json() as Document;
}

test('the OpenAPI document validates against the OpenAPI schema of its version, with the package version', async (t) => {
  const doc = await openapi(t);
  assert.match(doc.openapi, /^3\.0\.\d+$/);
  const result = await new Validator().validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(doc.info.version, packageJson.version);
  // The validator is no pushover: a document without an operation's responses does not pass.
  const broken = structuredClone(doc);
  delete (broken.paths['/world']!.get as Partial<Operation>).responses;
  assert.equal((await new Validator().validate(broken)).valid, false);
});

test('every operation has a unique operationId, declared tags, a summary and a response schema for each status', async (t) => {
  const doc = await openapi(t);
  const tags = new Set(doc.tags.map((tag) => tag.name));
  for (const tag of doc.tags) assert.ok(tag.description, `tag ${tag.name} has a description`);
  const ids: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const name = `${method.toUpperCase()} ${path}`;
      assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${name} has an operationId`);
      ids.push(op.operationId!);
      assert.ok((op.tags ?? []).length > 0, `${name} has tags`);
      for (const tag of op.tags!) assert.ok(tags.has(tag), `${name}: tag ${tag} is declared`);
      assert.ok(op.summary, `${name} has a summary`);
      const statuses = Object.keys(op.responses);
      assert.ok(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${name} documents its success`,
      );
      for (const s of ['429', '503']) assert.ok(statuses.includes(s), `${name} documents ${s}`);
      if ((op.parameters ?? []).length > 0 || op.requestBody !== undefined)
        assert.ok(statuses.includes('400'), `${name} takes input, so documents 400`);
      if (path.includes('{id}')) assert.ok(statuses.includes('404'), `${name} names a thing: 404`);
      for (const [status, response] of Object.entries(op.responses)) {
        const where = `${name} ${status}`;
        assert.ok(/^[1-5]\d\d$/.test(status), `${where} is a status, not a range`);
        assert.ok(response.description, `${where} has a description`);
        if (BODILESS.has(status)) {
          assert.equal(response.content, undefined, `${where} has no body`);
          continue;
        }
        const media = Object.entries(response.content ?? {});
        assert.ok(media.length > 0, `${where} says what it answers`);
        for (const [type, { schema }] of media) {
          assert.ok(schema !== undefined && Object.keys(schema).length > 0, `${where} ${type} has a schema`);
          if (type === 'application/json' && Number(status) >= 400)
            assert.ok(isProblem(schema), `${where} is a problem { code, message }`);
        }
      }
    }
  }
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  assert.deepEqual(ids.sort(), [...OPERATIONS].sort());
});
