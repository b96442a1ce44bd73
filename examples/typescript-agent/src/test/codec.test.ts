import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RegistryCodec } from '../codec';

test('the registry is reached through its Confluent-compatible API, whatever SCHEMA_REGISTRY_URL names', () => {
  for (const url of ['http://reg:8080', 'http://reg:8080/', 'http://reg:8080/apis/registry/v3']) {
    assert.equal(RegistryCodec.confluentApi(url), 'http://reg:8080/apis/ccompat/v7');
  }
});
