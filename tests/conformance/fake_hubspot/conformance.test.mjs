// Conformance of fake-hubspot: the official Node SDK (@hubspot/api-client 13.5.0) drives every endpoint
// and the responses are checked (1) by assertions on what the SDK returns and (2) against the OpenAPI
// specs in tests/conformance/specs (every response recorded on the wire, see lib/openapi.mjs).
//
// usage: node conformance.test.mjs PATH/TO/fake-hubspot
// Exit codes: 0 passed, 1 failed, 77 skipped (specs absent outside CI; under CI, env CI set, it fails).
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { after } from 'node:test';

import { SpecValidator, specsDir, specsPresent } from './lib/openapi.mjs';
import { startFake } from './lib/fake.mjs';
import { startRecorder } from './lib/recorder.mjs';
import { datedTemplate } from './lib/versions.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const binary = process.argv[2] || process.env.FAKE_HUBSPOT_BIN;
const SKIP = 77;

if (!binary) {
  console.error('usage: node conformance.test.mjs PATH/TO/fake-hubspot');
  process.exit(2);
}
const specs = specsDir(repoRoot);
if (!specsPresent(specs)) {
  if (process.env.CI) {
    console.error(`FAIL: the HubSpot OpenAPI specs are missing from ${specs} (set LEADSYNC_HUBSPOT_SPECS_DIR); required under CI`);
    process.exit(1);
  }
  console.log(`SKIP: the HubSpot OpenAPI specs are missing from ${specs} (set LEADSYNC_HUBSPOT_SPECS_DIR); conformance tests skipped`);
  process.exit(SKIP);
}

console.log(`OpenAPI specs: ${specs}`);
const hubspot = await import('@hubspot/api-client');
const { Client } = hubspot;
const TOKEN = 'conformance-token';
const HUBSPOT_DEFINED = 'HUBSPOT_DEFINED';

const validator = new SpecValidator(specs);
const fake = await startFake(binary, ['--token', TOKEN, '--token', 'second-app-token', '--seed-leads', '30']);
const recorder = await startRecorder(fake.port);
process.on('exit', () => fake.stop());

function client(options = {}) {
  return new Client({ accessToken: TOKEN, basePath: recorder.url, numberOfApiCallRetries: 0,
                      limiterOptions: { minTime: 0, maxConcurrent: 4, id: `c${Math.random()}` }, ...options });
}
const hs = client();
const leads = hs.crm.objects.leads;
const assoc = hs.crm.associations.v4;

const spec = (typeId) => ({ associationCategory: HUBSPOT_DEFINED, associationTypeId: typeId });
const primaryContact = (id) => ({ to: { id }, types: [spec(578)] });
const primaryCompany = (id) => ({ to: { id }, types: [spec(580)] });

async function newContact() { return (await fake.admin('POST', '/_fake/contacts', { properties: {} })).body.id; }
async function newCompany() { return (await fake.admin('POST', '/_fake/companies', { properties: {} })).body.id; }
async function newLead(name, extra = {}) {
  const contact = await newContact();
  const lead = await leads.basicApi.create({ properties: { hs_lead_name: name, ...extra }, associations: [primaryContact(contact)] });
  return { lead, contact };
}
async function rejects(promise, code, check = () => {}) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.code, code, `expected HTTP ${code}, got ${e.code}: ${JSON.stringify(e.body)}`);
    check(e.body);
    return e;
  }
  assert.fail(`expected HTTP ${code}, the call succeeded`);
}
// The SDK's generic request (13.5.0's codegen still targets /crm/v3): status and parsed body.
async function call(method, path, body, expected) {
  const res = await hs.apiRequest({ method, path, body });
  const text = await res.text();
  if (expected !== undefined) assert.equal(res.status, expected, `${method} ${path}: ${text.slice(0, 400)}`);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
function formRequest(path, fields) {
  return hs.apiRequest({ method: 'POST', path, body: new URLSearchParams(fields).toString(), defaultJson: false,
                         headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}
function propertyError(body) {
  return JSON.parse(body.message.slice(body.message.indexOf('[')))[0].error;
}

test('fake-hubspot conformance', { concurrency: false }, async (t) => {
  await t.test('properties: list, read, create (hasUniqueValue), duplicate refused', async () => {
    const all = await hs.crm.properties.coreApi.getAll('leads');
    const names = all.results.map((p) => p.name);
    for (const n of ['hs_lead_name', 'hs_lead_type', 'hs_lead_label', 'hs_pipeline', 'hs_pipeline_stage', 'hubspot_owner_id',
                     'hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'])
      assert.ok(names.includes(n), n);
    const label = await hs.crm.properties.coreApi.getByName('leads', 'hs_lead_label');
    assert.deepEqual(label.options.map((o) => o.value), ['HOT', 'WARM', 'COLD']);
    assert.equal(label.type, 'enumeration');
    const stage = all.results.find((p) => p.name === 'hs_pipeline_stage');
    assert.equal(stage.externalOptions, true);
    const created = await hs.crm.properties.coreApi.create('leads', {
      name: 'conformance_key', label: 'Conformance key', type: 'string', fieldType: 'text',
      groupName: 'leadinformation', hasUniqueValue: true });
    assert.equal(created.hasUniqueValue, true);
    await rejects(hs.crm.properties.coreApi.create('leads', { name: 'conformance_key', label: 'x', type: 'string',
                                                              fieldType: 'text', groupName: 'leadinformation' }), 409);
    await rejects(hs.crm.properties.coreApi.getByName('leads', 'no_such_property'), 404);
  });

  await t.test('pipelines: the default lead pipeline and its stages', async () => {
    const all = await hs.crm.pipelines.pipelinesApi.getAll('leads');
    assert.equal(all.results.length, 1);
    const p = all.results[0];
    assert.equal(p.id, 'lead-pipeline-id');
    assert.deepEqual(p.stages.map((s) => s.id),
                     ['new-stage-id', 'attempting-stage-id', 'connected-stage-id', 'qualified-stage-id', 'unqualified-stage-id']);
    const one = await hs.crm.pipelines.pipelinesApi.getById('leads', 'lead-pipeline-id');
    assert.equal(one.label, p.label);
    const stages = await hs.crm.pipelines.pipelineStagesApi.getAll('leads', 'lead-pipeline-id');
    assert.equal(stages.results.length, 5);
    const s = await hs.crm.pipelines.pipelineStagesApi.getById('leads', 'lead-pipeline-id', 'qualified-stage-id');
    assert.equal(s.label, 'Qualified');
  });

  await t.test('association labels for leads', async () => {
    const toContacts = await assoc.schema.definitionsApi.getAll('leads', 'contacts');
    assert.deepEqual(toContacts.results.map((r) => [r.category, r.typeId, r.label ?? null]), [
      ['HUBSPOT_DEFINED', 578, 'Primary'],
      ['HUBSPOT_DEFINED', 608, null],
      ['USER_DEFINED', 101, 'Decision maker'],
    ]);
    const toCompanies = await assoc.schema.definitionsApi.getAll('0-136', '0-2');
    assert.deepEqual(toCompanies.results.map((r) => r.typeId), [580, 610, 103]);
  });

  await t.test('basic: create, read, update, archive', async () => {
    const contact = await newContact();
    const company = await newCompany();
    const lead = await leads.basicApi.create({
      properties: { hs_lead_name: 'Jane Doe', hs_lead_type: 'NEW_BUSINESS', hs_lead_label: 'WARM', conformance_key: 'CK-1' },
      associations: [primaryContact(contact), primaryCompany(company)] });
    assert.match(lead.id, /^\d+$/);
    assert.equal(lead.properties.hs_lead_name, 'Jane Doe');
    assert.equal(lead.properties.hs_object_id, lead.id);
    assert.equal(lead.properties.hs_pipeline_stage, 'new-stage-id');
    assert.ok(lead.createdAt instanceof Date);
    await rejects(leads.basicApi.create({ properties: { hs_lead_name: 'No association' }, associations: [] }), 400,
                  (b) => assert.equal(b.category, 'VALIDATION_ERROR'));
    await rejects(leads.basicApi.create({ properties: { hs_lead_name: 'Dup', conformance_key: 'CK-1' },
                                          associations: [primaryContact(contact)] }), 400,
                  (b) => assert.equal(propertyError(b), 'VALUE_NOT_UNIQUE'));

    const read = await leads.basicApi.getById(lead.id, ['hs_lead_label', 'lead_score'], ['hs_lead_label'], ['contacts', 'companies']);
    assert.equal(read.properties.hs_lead_label, 'WARM');
    assert.equal(read.properties.lead_score, null);
    assert.equal(read.propertiesWithHistory.hs_lead_label[0].sourceType, 'INTEGRATION');
    assert.deepEqual(read.associations.contacts.results.map((r) => r.type), ['lead_to_primary_contact', 'lead_to_contact']);
    assert.deepEqual(read.associations.companies.results.map((r) => r.id), [company, company]);
    const byKey = await leads.basicApi.getById('CK-1', undefined, undefined, undefined, false, 'conformance_key');
    assert.equal(byKey.id, lead.id);
    await rejects(leads.basicApi.getById('999'), 404, (b) => assert.equal(b.category, 'OBJECT_NOT_FOUND'));

    const updated = await leads.basicApi.update(lead.id, { properties: { hs_lead_label: 'HOT', hs_pipeline_stage: 'connected-stage-id' } });
    assert.equal(updated.properties.hs_lead_label, 'HOT');
    assert.ok(updated.updatedAt >= lead.updatedAt);
    await rejects(leads.basicApi.update(lead.id, { properties: { hs_lead_label: 'LUKEWARM' } }), 400,
                  (b) => assert.equal(propertyError(b), 'INVALID_OPTION'));
    await rejects(leads.basicApi.update(lead.id, { properties: { hs_createdate: '2020-01-01' } }), 400,
                  (b) => assert.equal(propertyError(b), 'READ_ONLY_VALUE'));
    await rejects(leads.basicApi.update(lead.id, { properties: { nope: '1' } }), 400,
                  (b) => assert.equal(propertyError(b), 'PROPERTY_DOESNT_EXIST'));
    const cleared = await leads.basicApi.update(lead.id, { properties: { hs_lead_type: '' } });
    assert.equal(cleared.properties.hs_lead_type, '');

    await leads.basicApi.archive(lead.id);
    await rejects(leads.basicApi.getById(lead.id), 404);
    const archived = await leads.basicApi.getById(lead.id, undefined, undefined, undefined, true);
    assert.equal(archived.archived, true);
    assert.ok(archived.archivedAt instanceof Date);
  });

  await t.test('list: paging, properties, associations, archived; generic object API on 0-136', async () => {
    const seen = [];
    let after;
    for (let i = 0; i < 20; i++) {
      const page = await leads.basicApi.getPage(10, after, ['hs_lead_name', 'hs_lead_label'], undefined, ['contacts', 'companies']);
      for (const r of page.results) {
        seen.push(r.id);
        assert.ok('hs_lead_name' in r.properties);
      }
      if (!page.paging) break;
      after = page.paging.next.after;
    }
    assert.ok(seen.length >= 30, `paged ${seen.length} leads`);
    assert.equal(new Set(seen).size, seen.length);
    const archived = await leads.basicApi.getPage(100, undefined, undefined, undefined, undefined, true);
    assert.ok(archived.results.every((r) => r.archived === true));
    const generic = await hs.crm.objects.basicApi.getPage('0-136', 5, undefined, ['hs_lead_name']);
    assert.equal(generic.results.length, 5);
    assert.equal(generic.results[0].id, seen[0]);
    const dated = await hs.apiRequest({ method: 'GET', path: '/crm/objects/2026-03/leads', qs: { limit: 2 } });
    assert.equal(dated.status, 200);
    assert.equal((await dated.json()).results[0].id, seen[0]);
  });

  await t.test('batch: create (201/207, trace ids, order), read (207), update, upsert, archive', async () => {
    const contact = await newContact();
    const input = (name, label, trace) => ({ properties: { hs_lead_name: name, hs_lead_label: label },
                                             associations: [primaryContact(contact)], objectWriteTraceId: trace });
    const ok = await leads.batchApi.create({ inputs: [input('B1', 'HOT', 'b1'), input('B2', 'COLD', 'b2'), input('B3', 'WARM', 'b3')] });
    assert.equal(ok.status, 'COMPLETE');
    assert.equal(ok.results.length, 3);
    const traces = ok.results.map((r) => r.objectWriteTraceId);
    assert.deepEqual([...traces].sort(), ['b1', 'b2', 'b3'], 'objectWriteTraceId is echoed');
    assert.notDeepEqual(traces, ['b1', 'b2', 'b3'], 'results do not come back in input order');
    const ids = ok.results.map((r) => r.id);

    const partial = await leads.batchApi.create({ inputs: [input('B4', 'HOT', 'b4'), input('B5', 'NOT_AN_OPTION', 'b5')] });
    assert.equal(partial.numErrors, 1);
    assert.equal(partial.errors[0].category, 'VALIDATION_ERROR');
    assert.deepEqual(partial.errors[0].context.objectWriteTraceId, ['b5']);
    assert.equal(partial.results.length, 1);
    await rejects(leads.batchApi.create({ inputs: [input('B6', 'HOT'), input('B7', 'NOT_AN_OPTION')] }), 400);

    const read = await leads.batchApi.read({ inputs: [{ id: ids[0] }, { id: ids[1] }, { id: '424242' }],
                                             properties: ['hs_lead_label'], propertiesWithHistory: [] });
    assert.equal(read.results.length, 2);
    assert.equal(read.numErrors, 1);
    assert.equal(read.errors[0].category, 'OBJECT_NOT_FOUND');
    const history = await leads.batchApi.read({ inputs: [{ id: ids[0] }], properties: [], propertiesWithHistory: ['hs_lead_name'] });
    assert.equal(history.results[0].propertiesWithHistory.hs_lead_name[0].value.startsWith('B'), true);

    const upd = await leads.batchApi.update({ inputs: ids.map((id) => ({ id, properties: { hs_lead_label: 'COLD', conformance_key: `K-${id}` } })) });
    assert.equal(upd.results.length, 3);
    assert.ok(upd.results.every((r) => r.properties.hs_lead_label === 'COLD'));

    const ups = await leads.batchApi.upsert({ inputs: [{ idProperty: 'conformance_key', id: `K-${ids[0]}`,
                                                         properties: { hs_lead_label: 'HOT' }, objectWriteTraceId: 'u1' }] });
    assert.equal(ups.results[0].id, ids[0]);
    assert.equal(ups.results[0]._new, false);
    const upsNew = await leads.batchApi.upsert({ inputs: [{ idProperty: 'conformance_key', id: 'K-none',
                                                            properties: { hs_lead_name: 'x' }, objectWriteTraceId: 'u2' }] });
    assert.equal(upsNew.numErrors, 1, 'a new lead needs an inline primary association, which upsert cannot carry');
    await rejects(leads.batchApi.upsert({ inputs: [{ idProperty: 'hs_object_id', id: ids[0], properties: { hs_lead_label: 'HOT' } }] }), 400);

    await leads.batchApi.archive({ inputs: [{ id: ids[2] }] });
    await rejects(leads.basicApi.getById(ids[2]), 404);
  });

  await t.test('search: filters, sorts as strings and objects, paging, the 10,000 cap', async () => {
    const contact = await newContact();
    for (const [name, score] of [['Zed', '3'], ['Yan', '9'], ['Xia', '27']])
      await leads.basicApi.create({ properties: { hs_lead_name: name, lead_score: score, hs_lead_label: 'HOT' },
                                    associations: [primaryContact(contact)] });
    const filterGroups = [{ filters: [{ propertyName: 'lead_score', operator: 'GTE', value: '5' },
                                      { propertyName: 'associations.contact', operator: 'EQ', value: contact }] }];
    const objectSort = await leads.searchApi.doSearch({ filterGroups, sorts: [{ propertyName: 'lead_score', direction: 'DESCENDING' }],
                                                         properties: ['hs_lead_name', 'lead_score'], limit: 10, after: '0' });
    assert.equal(objectSort.total, 2);
    assert.deepEqual(objectSort.results.map((r) => r.properties.hs_lead_name), ['Xia', 'Yan']);
    const stringSort = await leads.searchApi.doSearch({ filterGroups, sorts: ['lead_score'], properties: ['hs_lead_name'], limit: 1 });
    assert.equal(stringSort.results[0].properties.hs_lead_name, 'Yan');
    assert.equal(stringSort.paging.next.after, '1');
    const page2 = await leads.searchApi.doSearch({ filterGroups, sorts: ['lead_score'], properties: ['hs_lead_name'], limit: 1, after: '1' });
    assert.equal(page2.results[0].properties.hs_lead_name, 'Xia');
    assert.equal(page2.paging, undefined);
    const inFilter = await leads.searchApi.doSearch({ filterGroups: [{ filters: [
      { propertyName: 'hs_lead_name', operator: 'IN', values: ['zed', 'xia'] }] }], limit: 200 });
    assert.equal(inFilter.total, 2);
    const all = await leads.searchApi.doSearch({ limit: 200 });
    assert.ok(all.total > 30);
    assert.deepEqual(Object.keys(all.results[0].properties).sort(), ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id']);
    await rejects(leads.searchApi.doSearch({ limit: 10, after: '10000' }), 400, (b) => assert.equal(b.category, 'VALIDATION_ERROR'));
    await rejects(leads.searchApi.doSearch({ limit: 201 }), 400);
  });

  await t.test('associations v4: per pair create/default/list/archive, batch read/create/default/labels archive/archive', async () => {
    const { lead, contact } = await newLead('V4 lead');
    const company = await newCompany();
    const labels = await assoc.basicApi.create('leads', lead.id, 'companies', company, [spec(580)]);
    assert.equal(labels.fromObjectTypeId, '0-136');
    assert.equal(labels.toObjectTypeId, '0-2');
    assert.deepEqual(labels.labels, ['Primary']);
    const other = await newContact();
    const dflt = await assoc.basicApi.createDefault('leads', lead.id, 'contacts', other);
    assert.equal(dflt.results[0].associationSpec.associationTypeId, 608);
    const page = await assoc.basicApi.getPage('leads', lead.id, 'contacts');
    assert.deepEqual(page.results.map((r) => String(r.toObjectId)).sort(), [contact, other].sort());
    const primaryRow = page.results.find((r) => String(r.toObjectId) === contact);
    assert.deepEqual(primaryRow.associationTypes.map((x) => x.typeId), [578, 608]);
    const reverse = await assoc.basicApi.getPage('contacts', contact, 'leads');
    assert.equal(String(reverse.results[0].toObjectId), lead.id);

    const batchRead = await assoc.batchApi.getPage('leads', 'contacts', { inputs: [{ id: lead.id }, { id: '31337' }] });
    assert.equal(batchRead.results.length, 1);
    assert.equal(batchRead.results[0]._from.id, lead.id);  // the SDK names `from` `_from`
    assert.equal(batchRead.numErrors, 1);
    const third = await newContact();
    const batchCreate = await assoc.batchApi.create('leads', 'contacts', { inputs: [{ _from: { id: lead.id }, to: { id: third }, types: [spec(608)] }] });
    assert.equal(batchCreate.results.length, 1);
    const batchDefault = await assoc.batchApi.createDefault('contacts', 'leads', { inputs: [{ _from: { id: third }, to: { id: lead.id } }] });
    assert.equal(batchDefault.results[0].associationSpec.associationTypeId, 609);
    await assoc.batchApi.archiveLabels('leads', 'companies', { inputs: [{ _from: { id: lead.id }, to: { id: company }, types: [spec(580)] }] });
    await assoc.batchApi.archive('leads', 'contacts', { inputs: [{ _from: { id: lead.id }, to: [{ id: third }, { id: other }] }] });
    const left = await assoc.basicApi.getPage('leads', lead.id, 'contacts');
    assert.deepEqual(left.results.map((r) => String(r.toObjectId)), [contact]);
    // Archiving the last primary association deletes the lead.
    await assoc.basicApi.archive('leads', lead.id, 'contacts', contact);
    await rejects(leads.basicApi.getById(lead.id), 404);
    assert.equal((await leads.basicApi.getById(lead.id, undefined, undefined, undefined, true)).archived, true);
  });

  await t.test('associations v3 per lead through apiRequest (GET list, PUT, DELETE with auto-delete)', async () => {
    const { lead, contact } = await newLead('V3 lead');
    const company = await newCompany();
    const base = `/crm/v3/objects/leads/${lead.id}/associations`;
    const put = await hs.apiRequest({ method: 'PUT', path: `${base}/companies/${company}/610` });
    assert.equal(put.status, 200);
    const withAssoc = await put.json();
    assert.deepEqual(withAssoc.associations.companies.results, [{ id: company, type: 'lead_to_company' }]);
    const list = await hs.apiRequest({ method: 'GET', path: `${base}/contacts` });
    assert.deepEqual((await list.json()).results, [{ id: contact, type: 'lead_to_primary_contact' }, { id: contact, type: 'lead_to_contact' }]);
    const bad = await hs.apiRequest({ method: 'PUT', path: `${base}/companies/${company}/578` });
    assert.equal(bad.status, 400);
    const del = await hs.apiRequest({ method: 'DELETE', path: `${base}/contacts/${contact}/578` });
    assert.equal(del.status, 204);
    await rejects(leads.basicApi.getById(lead.id), 404);
  });

  await t.test('date-versioned paths (2026-03, 2026-09) through apiRequest: leads, associations, properties, pipelines', async () => {
    for (const v of ['2026-03', '2026-09']) {
      const obj = `/crm/objects/${v}/leads`;
      const contact = await newContact();
      const company = await newCompany();
      const created = (await call('POST', obj, { properties: { hs_lead_name: `Dated ${v}` }, associations: [primaryContact(contact)] }, 201)).body;
      const page = await call('GET', `${obj}?limit=2&properties=hs_lead_name`, undefined, 200);
      assert.equal(page.body.results.length, 2);
      await call('GET', `${obj}/${created.id}?associations=contacts`, undefined, 200);
      await call('PATCH', `${obj}/${created.id}`, { properties: { hs_lead_label: 'WARM', conformance_key: `key-${v}` } }, 200);
      const read = await call('POST', `${obj}/batch/read`, { inputs: [{ id: created.id }, { id: '31337' }], properties: ['hs_lead_name'],
                                                              propertiesWithHistory: [] });
      assert.equal(read.status, v === '2026-03' ? 207 : 200);
      assert.equal(read.body.numErrors, 1);
      const bad = { properties: { hs_lead_name: 'Bad', hs_lead_label: 'TEPID' }, associations: [primaryContact(contact)], objectWriteTraceId: 'bad' };
      const good = { properties: { hs_lead_name: `Batch ${v}` }, associations: [primaryContact(contact)], objectWriteTraceId: 'good' };
      const batchCreated = await call('POST', `${obj}/batch/create`, { inputs: [good, bad] });
      assert.equal(batchCreated.status, v === '2026-03' ? 207 : 201);
      assert.equal(batchCreated.body.numErrors, 1);
      const newId = batchCreated.body.results[0].id;
      await call('POST', `${obj}/batch/update`, { inputs: [{ id: newId, properties: { hs_lead_label: 'HOT' } }] }, 200);
      const upsert = await call('POST', `${obj}/batch/upsert`, { inputs: [{ id: `key-${v}`, idProperty: 'conformance_key', properties: { hs_lead_label: 'COLD' } }] }, 200);
      assert.equal(upsert.body.results[0].id, created.id);
      await call('POST', `${obj}/search`, { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: newId }] }],
                                            limit: 10, after: '0', properties: ['hs_lead_name'], sorts: [] }, 200);

      // Per-pair association writes: the body's types replace the pair's labels; DELETE removes every type.
      const pair = `${obj}/${created.id}/associations/companies/${company}`;
      const put = await call('PUT', pair, [spec(580), { associationCategory: 'USER_DEFINED', associationTypeId: 103 }], 201);
      assert.deepEqual([...put.body.labels].sort(), ['Billing company', 'Primary']);
      const replaced = await call('PUT', pair, [spec(610)], 201);
      assert.deepEqual(replaced.body.labels, []);
      const dflt = await call('PUT', `${obj}/${created.id}/associations/default/contacts/${await newContact()}`, undefined, 200);
      assert.equal(dflt.body.results[0].associationSpec.associationTypeId, 608);
      const list = await call('GET', `${obj}/${created.id}/associations/contacts`, undefined, 200);
      assert.ok(list.body.results.some((r) => String(r.toObjectId) === contact));
      await call('DELETE', pair, undefined, 204);
      const a = `/crm/associations/${v}/leads/companies`;
      const bc = await call('POST', `${a}/batch/create`, { inputs: [{ from: { id: created.id }, to: { id: company }, types: [spec(580), spec(610)] }] });
      assert.equal(bc.status, v === '2026-03' ? 201 : 200);
      const br = await call('POST', `/crm/associations/${v}/leads/contacts/batch/read`, { inputs: [{ id: created.id }] }, 200);
      assert.equal(br.body.results[0].from.id, created.id);
      await call('POST', `${a}/batch/associate/default`, { inputs: [{ from: { id: created.id }, to: { id: company } }] }, 200);
      const la = await call('POST', `${a}/batch/labels/archive`, { inputs: [{ from: { id: created.id }, to: { id: company }, types: [spec(580)] }] }, 200);
      assert.equal(la.body.status, 'COMPLETE');
      await call('POST', `${a}/batch/archive`, { inputs: [{ from: { id: created.id }, to: [{ id: company }] }] }, 200);
      const labels = await call('GET', `${a}/labels`, undefined, 200);
      assert.deepEqual(labels.body.results.map((r) => r.typeId), [580, 610, 103]);
      await call('POST', `${obj}/batch/archive`, { inputs: [{ id: newId }] }, 204);
      await call('DELETE', `${obj}/${created.id}`, undefined, 204);

      const props = `/crm/properties/${v}/leads`;
      assert.ok((await call('GET', props, undefined, 200)).body.results.length > 5);
      await call('GET', `${props}/hs_lead_label`, undefined, 200);
      const enumDef = { name: `conformance_enum_${v.replace('-', '_')}`, label: 'Kind', type: 'enumeration', fieldType: 'select',
                        groupName: 'leadinformation', options: [{ label: 'A', value: 'a' }] };
      await call('POST', props, enumDef, 400);  // options[].displayOrder is required in the date versions
      enumDef.options[0].displayOrder = 0;
      await call('POST', props, enumDef, 201);
      const pipes = `/crm/pipelines/${v}/leads`;
      await call('GET', pipes, undefined, 200);
      await call('GET', `${pipes}/lead-pipeline-id`, undefined, 200);
      await call('GET', `${pipes}/lead-pipeline-id/stages`, undefined, 200);
      await call('GET', `${pipes}/lead-pipeline-id/stages/new-stage-id`, undefined, 200);
    }
  });

  await t.test('2026-09 write validation: 400 VALIDATION_ERROR per record, inline in batches, none on 2026-03', async () => {
    const rules = [{ kind: 'conditional_required', property: 'lead_notes', if_property: 'hs_lead_type', if_value: 'EXISTING_BUSINESS' },
                   { kind: 'required_on_create', property: 'lead_phone' }];
    assert.equal((await fake.admin('POST', '/_fake/config', { validation_rules: rules })).status, 200);
    try {
      const contact = await newContact();
      const missing = await call('POST', '/crm/objects/2026-09/leads', { properties: { hs_lead_name: 'Rules' }, associations: [primaryContact(contact)] }, 400);
      assert.equal(missing.body.errors[0].code, 'MISSING_REQUIRED_PROPERTY');
      assert.deepEqual(missing.body.errors[0].context.propertyName, ['lead_phone']);
      const ok = await call('POST', '/crm/objects/2026-09/leads', { properties: { hs_lead_name: 'Rules', lead_phone: '+1 555' },
                                                                   associations: [primaryContact(contact)] }, 201);
      const patch = await call('PATCH', `/crm/objects/2026-09/leads/${ok.body.id}`, { properties: { hs_lead_type: 'EXISTING_BUSINESS' } }, 400);
      assert.equal(patch.body.errors[0].code, 'MISSING_CONDITIONAL_REQUIRED_PROPERTY');
      assert.deepEqual(patch.body.errors[0].context.propertyName, ['lead_notes']);
      const batch = await call('POST', '/crm/objects/2026-09/leads/batch/update',
                               { inputs: [{ id: ok.body.id, properties: { hs_lead_type: 'EXISTING_BUSINESS' }, objectWriteTraceId: 'x' }] }, 200);
      assert.equal(batch.body.numErrors, 1);
      assert.equal(batch.body.errors[0].errors[0].code, 'MISSING_CONDITIONAL_REQUIRED_PROPERTY');
      await call('PATCH', `/crm/objects/2026-03/leads/${ok.body.id}`, { properties: { hs_lead_type: 'EXISTING_BUSINESS' } }, 200);
    } finally {
      await fake.admin('POST', '/_fake/config', { validation_rules: [] });
    }
  });

  await t.test('OAuth token endpoint: v1 through the SDK, 2026-03 with a form body only', async () => {
    const reg = await fake.admin('POST', '/_fake/oauth/clients', { client_id: 'conf-client', client_secret: 'conf-secret', refresh_token: 'conf-refresh' });
    assert.equal(reg.status, 201);
    const v1 = await hs.oauth.tokensApi.create('refresh_token', undefined, undefined, 'conf-client', 'conf-secret', 'conf-refresh');
    assert.equal(v1.refreshToken, 'conf-refresh');
    assert.ok(v1.accessToken);
    const fields = { grant_type: 'refresh_token', client_id: 'conf-client', client_secret: 'conf-secret', refresh_token: 'conf-refresh' };
    const res = await formRequest('/oauth/2026-03/token', fields);
    assert.equal(res.status, 200);
    const token = await res.json();
    assert.equal(token.token_use, 'access_token');
    const viaOAuth = client({ accessToken: token.access_token });
    assert.equal((await viaOAuth.crm.objects.leads.basicApi.getPage(1)).results.length, 1);
    const revoked = await formRequest('/oauth/2026-03/token', { ...fields, refresh_token: 'not-a-refresh-token' });
    assert.equal(revoked.status, 400);
    assert.equal((await revoked.json()).error, 'invalid_grant');
    const inQuery = await formRequest('/oauth/2026-03/token?client_secret=conf-secret', fields);
    assert.equal(inQuery.status, 400);
    assert.equal((await inQuery.json()).error, 'invalid_request');
  });

  await t.test('auth: an unknown token is refused with INVALID_AUTHENTICATION', async () => {
    const stranger = client({ accessToken: 'not-a-token' });
    await rejects(stranger.crm.objects.leads.basicApi.getPage(1), 401, (b) => assert.equal(b.category, 'INVALID_AUTHENTICATION'));
  });

  await t.test('SDK retries: TEN_SECONDLY_ROLLING 429 (waits 10 s), secondly search 429, 5xx', async () => {
    await fake.admin('DELETE', '/_fake/stats');
    const retrying = client({ numberOfApiCallRetries: 2 });
    const f = await fake.admin('POST', '/_fake/faults', { method: 'GET', path_prefix: '/crm/v3/objects/leads', kind: 'rate_limit',
                                                          policy: 'TEN_SECONDLY_ROLLING', times: 1 });
    assert.equal(f.status, 201);
    const started = Date.now();
    const page = await retrying.crm.objects.leads.basicApi.getPage(1);
    assert.equal(page.results.length, 1);
    assert.ok(Date.now() - started >= 9500, 'the SDK waits 10 s before retrying a TEN_SECONDLY_ROLLING 429');
    let stats = (await fake.admin('GET', '/_fake/stats')).body;
    assert.equal(stats.rate_limited, 1);
    assert.equal(stats.faults_fired, 1);
    assert.equal(stats.requests['GET /crm/v3/objects/leads'], 2);

    await fake.admin('POST', '/_fake/faults', { method: 'POST', path_prefix: '/crm/v3/objects/leads/search', kind: 'rate_limit',
                                                policy: 'SECONDLY', times: 1 });
    const found = await retrying.crm.objects.leads.searchApi.doSearch({ limit: 1 });
    assert.equal(found.results.length, 1);
    await fake.admin('POST', '/_fake/faults', { method: 'GET', path_prefix: '/crm/v3/pipelines', status: 503, times: 1 });
    assert.equal((await retrying.crm.pipelines.pipelinesApi.getAll('leads')).results.length, 1);
    // A DAILY 429 is not retried.
    await fake.admin('POST', '/_fake/faults', { method: 'GET', path_prefix: '/crm/v3/properties', kind: 'rate_limit', policy: 'DAILY', times: 1 });
    await rejects(retrying.crm.properties.coreApi.getAll('leads'), 429, (b) => assert.equal(b.policyName, 'DAILY'));
    stats = (await fake.admin('GET', '/_fake/stats')).body;
    assert.equal(stats.rate_limited, 3);
    assert.equal(stats.faults_fired, 4);
  });

  await t.test('every recorded response validates against the OpenAPI specs', () => {
    const failures = [];
    const covered = new Set();
    for (const rec of recorder.records) {
      assert.match(rec.headers['x-hubspot-correlation-id'] || '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
                   `${rec.method} ${rec.path}: X-HubSpot-Correlation-Id`);
      const { operation, errors } = validator.validate(rec);
      if (operation) covered.add(operation);
      for (const e of errors) failures.push(`${rec.method} ${rec.path}${rec.query ? '?' + rec.query : ''} -> ${rec.status}: ${e}`);
    }
    const wanted = [
      'leads POST /crm/v3/objects/leads', 'leads GET /crm/v3/objects/leads', 'leads GET /crm/v3/objects/leads/{leadsId}',
      'leads PATCH /crm/v3/objects/leads/{leadsId}', 'leads DELETE /crm/v3/objects/leads/{leadsId}',
      'leads POST /crm/v3/objects/leads/batch/read', 'leads POST /crm/v3/objects/leads/batch/create',
      'leads POST /crm/v3/objects/leads/batch/update', 'leads POST /crm/v3/objects/leads/batch/upsert',
      'leads POST /crm/v3/objects/leads/batch/archive', 'leads POST /crm/v3/objects/leads/search',
      'associations PUT /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}',
      'associations DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}',
      'associations GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}',
      'associations PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}',
      'associations POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read',
      'associations POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create',
      'associations POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive',
      'associations POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/labels/archive',
      'associations POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default',
      'associationsSchema GET /crm/v4/associations/{fromObjectType}/{toObjectType}/labels',
      'properties GET /crm/v3/properties/{objectType}', 'properties GET /crm/v3/properties/{objectType}/{propertyName}',
      'properties POST /crm/v3/properties/{objectType}',
      'pipelines GET /crm/v3/pipelines/{objectType}', 'pipelines GET /crm/v3/pipelines/{objectType}/{pipelineId}',
      'pipelines GET /crm/v3/pipelines/{objectType}/{pipelineId}/stages',
      'pipelines GET /crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}',
      'v3 PUT …/associations/{toObjectType}/{toObjectId}/{typeId}', 'v3 DELETE …/associations/{toObjectType}/{toObjectId}/{typeId}',
      'v3 GET …/associations/{toObjectType}', '429 (docs/hubspot-api.md#429-bodies)',
    ];
    // Every operation that has a date-versioned spelling, in both versions, and the OAuth token endpoint.
    for (const w of [...wanted]) {
      const m = /^(\w+) (\w+) (\/\S+)$/.exec(w);
      const dated = m && datedTemplate(m[3]);
      if (dated) for (const v of ['2026-03', '2026-09']) wanted.push(`${m[1]} ${m[2]} ${dated} @${v}`);
    }
    wanted.push('oauth POST /oauth/v1/token', 'oauth POST /oauth/{version}/token @2026-03');
    const missing = wanted.filter((w) => !covered.has(w));
    console.log(`validated ${recorder.records.length} responses covering ${covered.size} operations against ${specs}`);
    assert.deepEqual(missing, [], 'operations not exercised');
    assert.deepEqual(failures, [], `responses not valid against the specs:\n${failures.join('\n')}`);
  });
});

after(async () => {
  await recorder.close();
  fake.stop();
});
