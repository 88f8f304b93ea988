package dev.modpaxos.bank;

import dev.modpaxos.transport.grpc.TlsConfig;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The TLS files of a bank cluster in one directory: {@code ca.pem}, and for each node {@code
 * node-<id>.pem} / {@code node-<id>.key} (the gRPC transport's naming), plus {@code driver.pem} /
 * {@code driver.key} for the admin RPC. {@link #create} makes a fresh, self-signed set (EC P-256,
 * valid 30 days) for demos and tests; for real use put your own files there.
 */
public final class BankPki {
  static final String DRIVER = "driver";
  private final Path dir;

  private BankPki(Path dir) {
    this.dir = dir;
  }

  /** Uses the files already in {@code dir}; fails naming the first one missing. */
  public static BankPki open(Path dir) {
    BankPki p = new BankPki(dir);
    for (int id : Servers.IDS) {
      p.node(id);
    }
    for (Path f : new Path[] {p.caFile(), p.cert(DRIVER), p.key(DRIVER)}) {
      if (!Files.isReadable(f)) {
        throw new IllegalArgumentException("TLS file not readable: " + f);
      }
    }
    return p;
  }

  /** Writes a fresh CA and certificates for S1..S5 and the driver into {@code dir}. */
  public static BankPki create(Path dir) throws IOException {
    Files.createDirectories(dir);
    BankPki p = new BankPki(dir);
    KeyPair ca = keys();
    X500Name caName = new X500Name("CN=modpaxos-bank-ca");
    write(p.caFile(), "CERTIFICATE", encoded(sign(caName, ca, caName, ca, null)));
    for (int id : Servers.IDS) {
      p.issue(ca, caName, nodeName(id));
    }
    p.issue(ca, caName, DRIVER);
    return p;
  }

  /** The files node {@code id} presents and trusts. */
  public TlsConfig node(int id) {
    TlsConfig t = new TlsConfig(caFile(), cert(nodeName(id)), key(nodeName(id)));
    for (Path f : new Path[] {t.caCertFile(), t.certChainFile(), t.privateKeyFile()}) {
      if (!Files.isReadable(f)) {
        throw new IllegalArgumentException("TLS file not readable: " + f);
      }
    }
    return t;
  }

  Path caFile() {
    return dir.resolve("ca.pem");
  }

  Path cert(String name) {
    return dir.resolve(name + ".pem");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  static String nodeName(int id) {
    return "node-" + id;
  }

  private void issue(KeyPair ca, X500Name caName, String name) throws IOException {
    KeyPair k = keys();
    write(cert(name), "CERTIFICATE", encoded(sign(new X500Name("CN=" + name), k, caName, ca, name)));
    write(key(name), "PRIVATE KEY", k.getPrivate().getEncoded());
  }

  /** A certificate for {@code subject}; a CA certificate when {@code dnsName} is null. */
  private static X509Certificate sign(
      X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, String dnsName) {
    try {
      Instant now = Instant.now();
      var b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli())
          .shiftLeft(16).add(BigInteger.valueOf(subject.hashCode() & 0xffff)),
          Date.from(now.minus(1, ChronoUnit.HOURS)), Date.from(now.plus(30, ChronoUnit.DAYS)),
          subject, subjectKeys.getPublic());
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(dnsName == null));
      if (dnsName != null) {
        b.addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
      }
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot make a certificate for " + subject, e);
    }
  }

  private static KeyPair keys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, String type, byte[] der) throws IOException {
    String pem = "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
    if (type.contains("PRIVATE")) {
      writePrivate(file, pem);
    } else {
      Files.writeString(file, pem);
    }
  }

  /** Writes a private key readable by its owner only (0600), from the moment it exists. */
  static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file); // not a POSIX file system
    }
    Files.writeString(file, text);
  }
}
