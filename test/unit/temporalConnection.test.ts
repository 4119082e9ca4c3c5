import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporalConnection';

const folder = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
const file = (name: string, text: string) => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
const cert = file('client.pem', 'CERT');
const key = file('client.key', 'KEY');
const ca = file('ca.pem', 'CA');
const base = { TEMPORAL_ADDRESS: 'temporal.example:7233' };

describe('temporalConnectionOptions', () => {
  it('connects in plaintext without TLS settings (the dev server)', () => {
    expect(temporalConnectionOptions(loadConfig(base) as never)).toEqual({ address: 'temporal.example:7233' });
  });

  it('builds mTLS from the certificate, key and CA files, with the server name override', () => {
    const config = loadConfig({
      ...base,
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend',
    });
    const options = temporalConnectionOptions(config as never);
    expect(options).toEqual({
      address: 'temporal.example:7233',
      tls: {
        clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
        serverRootCACertificate: Buffer.from('CA'),
        serverNameOverride: 'frontend',
      },
    });
  });

  it('turns TLS on with the system CAs for an API key (Temporal Cloud) or TEMPORAL_TLS=true', () => {
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_API_KEY: 'secret' }) as never)).toEqual({
      address: 'temporal.example:7233',
      tls: true,
      apiKey: 'secret',
    });
    expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_TLS: 'true' }) as never)).toEqual({
      address: 'temporal.example:7233',
      tls: true,
    });
  });

  it('names the variable and the path of a file it cannot read', () => {
    const config = loadConfig({ ...base, TEMPORAL_TLS_CERT: join(folder, 'missing.pem'), TEMPORAL_TLS_KEY: key });
    expect(() => temporalConnectionOptions(config as never)).toThrow(`TEMPORAL_TLS_CERT=${join(folder, 'missing.pem')} cannot be read`);
  });
});

describe('the configuration of a production Temporal', () => {
  it('refuses a certificate without its key, and a key without its certificate, naming both variables', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_CERT: cert })).toThrow(
      'TEMPORAL_TLS_KEY: TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not: mTLS needs the client certificate and its private key',
    );
    expect(() => loadConfig({ ...base, TEMPORAL_TLS_KEY: key })).toThrow(
      'TEMPORAL_TLS_CERT: TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not',
    );
  });

  it('refuses TEMPORAL_TLS=false together with an API key', () => {
    expect(() => loadConfig({ ...base, TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'secret' })).toThrow('TEMPORAL_TLS=false contradicts');
  });

  it('reads BACKUP_CRON and BACKUP_RETENTION with their defaults, and names a bad retention', () => {
    expect(loadConfig({})).toMatchObject({ BACKUP_CRON: '0 2 * * *', BACKUP_RETENTION: { days: 7, months: 3, years: 3 } });
    expect(() => loadConfig({ BACKUP_RETENTION: '7 days' })).toThrow('BACKUP_RETENTION: "7 days" is not <count>d, <count>m or <count>y');
  });
});
