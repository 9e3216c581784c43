import selfsigned from 'selfsigned';

export interface CertificateAuthority {
  /** PEM, for kubeconfig `certificate-authority-data` (base64 of it). */
  certPem: string;
  /**
   * A server certificate for loopback (`127.0.0.1`, `::1`, `localhost`) signed by this CA; made once and
   * shared by every server of this CA, as they all listen on loopback.
   */
  serverCertificate(): Promise<{ certPem: string; keyPem: string }>;
  /** A client certificate for `user` signed by this CA, as kubeadm, kind and minikube put in a kubeconfig. */
  clientCertificate(user: string): Promise<{ certPem: string; keyPem: string }>;
}

/**
 * A throwaway certificate authority made at test time, so no key material lives in the repository.
 * Elliptic-curve keys: generating them takes a millisecond, where RSA keys take up to a second on a busy
 * machine.
 */
export async function createCertificateAuthority(commonName = 'kfscan test CA'): Promise<CertificateAuthority> {
  const ca = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  // A leaf certificate this CA signs: the server's for loopback, or a client's for a user.
  const issue = async (commonName: string, usage: Extensions): Promise<{ certPem: string; keyPem: string }> => {
    const leaf = await selfsigned.generate([{ name: 'commonName', value: commonName }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ...validity(),
      ca: { key: ca.private, cert: ca.cert },
      extensions: [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, critical: true }, ...usage],
    });
    return { certPem: leaf.cert, keyPem: leaf.private };
  };
  let issued: Promise<{ certPem: string; keyPem: string }> | null = null;
  return {
    certPem: ca.cert,
    serverCertificate() {
      issued ??= issue('kube-apiserver', [
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ]);
      return issued;
    },
    clientCertificate(user) {
      return issue(user, [{ name: 'extKeyUsage', clientAuth: true }]);
    },
  };
}

// selfsigned declares its extension type without exporting it.
type Extensions = NonNullable<NonNullable<Parameters<typeof selfsigned.generate>[1]>['extensions']>;

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  const now = Date.now();
  return { notBeforeDate: new Date(now - 60 * 60 * 1000), notAfterDate: new Date(now + 2 * 24 * 60 * 60 * 1000) };
}
