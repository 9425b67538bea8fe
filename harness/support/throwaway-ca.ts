// A throwaway certificate authority for suites that need TLS on loopback (exercise 11, alpn): node:crypto makes
// keys but cannot sign X.509 certificates, so the `openssl` command line does it, in a temporary folder that is
// removed at once. Each call makes a fresh CA and one server certificate for 127.0.0.1 and localhost, valid for a
// day; nothing is installed or trusted anywhere: the suite hands the CA to each peer that should trust it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ThrowawayCa {
  /** The CA's certificate (PEM): what a client trusts. */
  caCert: string;
  /** The server's private key and certificate (PEM), issued by that CA for IP 127.0.0.1 and DNS localhost. */
  key: string;
  cert: string;
  /** The CA certificate as a file, for command-line peers (curl --cacert); removed by dispose(). */
  caFile: string;
  dispose(): void;
}

/** Whether `openssl` can be run here. */
export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Makes a CA and a server certificate signed by it (EC P-256 keys: fast to make). */
export function makeThrowawayCa(label = 'course'): ThrowawayCa {
  const dir = mkdtempSync(path.join(tmpdir(), 'course-ca-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.key');
    openssl('req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', '1', '-subj', `/CN=${label} throwaway CA`, '-out', 'ca.pem');
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.key');
    openssl('req', '-new', '-key', 'server.key', '-subj', '/CN=localhost', '-out', 'server.csr');
    writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-sha256',
      '-extfile',
      'ext.cnf',
      '-out',
      'server.pem',
    );
    const ca: ThrowawayCa = {
      caCert: readFileSync(file('ca.pem'), 'utf8'),
      // PKCS#8, the form every peer reads.
      key: execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', 'server.key'], { cwd: dir, encoding: 'utf8' }),
      cert: readFileSync(file('server.pem'), 'utf8'),
      caFile: file('ca.pem'),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
    for (const secret of ['ca.key', 'server.key', 'server.csr']) rmSync(file(secret), { force: true });
    return ca;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
