package dev.modpaxos.bank;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin RPC's server on one bank server process, and who may call it. The admin service is
 * for the operator only (README, "Trust model"):
 *
 * <ul>
 *   <li>Under TLS a caller must present a certificate of the cluster CA that names {@value
 *       BankPki#DRIVER} (a DNS subject alternative name, or else the CN). Any other, a member's
 *       {@code node-<id>} included, is refused with PERMISSION_DENIED and one line saying whose
 *       certificate it was; nothing runs.
 *   <li>In plaintext the server binds loopback addresses only ({@link #requireLoopback}), so any
 *       process on this machine may call it; the server says so once at start-up.
 * </ul>
 *
 * <p>Every call, admitted or refused, is logged as one INFO line with its caller (the
 * certificate's name, or {@code plaintext loopback peer <addr>}) and the request: calls that change
 * something on logger {@code dev.modpaxos.bank.admin}, the read-only Status, View and Watch (which
 * the driver and its web view poll several times a second) on {@code dev.modpaxos.bank.admin.read}.
 * Thread-safe.
 */
final class AdminEndpoint implements ServerInterceptor {
  private static final Logger changes = LoggerFactory.getLogger("dev.modpaxos.bank.admin");
  private static final Logger reads = LoggerFactory.getLogger("dev.modpaxos.bank.admin.read");
  private static final Set<String> READ_ONLY = Set.of("Status", "View", "Watch", "Member");
  private static final int SAN_DNS = 2;

  private final String serverName;
  private final boolean tls;

  private AdminEndpoint(String serverName, boolean tls) {
    this.serverName = serverName;
    this.tls = tls;
  }

  /**
   * Starts the admin service of {@code server} on {@code address}: mutual TLS with {@code pki}'s
   * files of node {@code nodeId} and only the driver admitted, or plaintext when {@code pki} is
   * null (then {@code address} must be a loopback one). SetFaults is refused.
   */
  static Server start(InetSocketAddress address, BankServer server, BankPki pki, int nodeId)
      throws IOException {
    return start(address, server, pki, nodeId, null);
  }

  /** As above, with SetFaults setting {@code faults} ({@code --fault-injection}) unless null. */
  static Server start(InetSocketAddress address, BankServer server, BankPki pki, int nodeId,
      FaultInjection faults) throws IOException {
    AdminEndpoint access = new AdminEndpoint(Servers.name(nodeId), pki != null);
    NettyServerBuilder b = NettyServerBuilder.forAddress(address)
        .addService(ServerInterceptors.intercept(new AdminService(server, faults), access));
    if (pki != null) {
      String name = BankPki.nodeName(nodeId);
      b.sslContext(GrpcSslContexts.forServer(pki.cert(name).toFile(), pki.key(name).toFile())
          .trustManager(pki.caFile().toFile()).clientAuth(ClientAuth.REQUIRE).build());
    } else {
      requireLoopback(Servers.name(nodeId) + ".admin", address);
    }
    return b.build().start();
  }

  /**
   * Throws {@link IllegalArgumentException} with a one-line reason unless {@code address} is a
   * loopback address: without TLS, nothing is served beyond this machine.
   */
  static void requireLoopback(String key, InetSocketAddress address) {
    if (address.isUnresolved() || !address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(key + " = " + address.getHostString() + ":"
          + address.getPort() + " is not a loopback address: without TLS a server serves this"
          + " machine only; set tls.dir in the cluster file for mutual TLS");
    }
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    Logger log = READ_ONLY.contains(method) ? reads : changes;
    String caller;
    String refusal = null;
    if (tls) {
      caller = certificateName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
      if (!BankPki.DRIVER.equals(caller)) {
        refusal = serverName + " refused admin " + method + " from " + caller
            + ": admin calls need the " + BankPki.DRIVER + " certificate";
      }
    } else {
      caller = "plaintext loopback peer "
          + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    }
    if (refusal != null) {
      changes.warn(refusal);
      call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      @Override
      public void onMessage(Q request) {
        String args = request instanceof MessageOrBuilder m ? fields(m) : "";
        log.info("{}: admin {} from {}{}", serverName, method, caller,
            args.isEmpty() ? "" : ": " + args);
        super.onMessage(request);
      }
    };
  }

  /** Every field of {@code m}, defaults included ({@code connected: false}), on one line. */
  static String fields(MessageOrBuilder m) {
    StringBuilder b = new StringBuilder();
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      b.append(b.length() == 0 ? "" : ", ").append(f.getName()).append(": ").append(m.getField(f));
    }
    return b.toString();
  }

  /**
   * The name the caller's verified leaf certificate gives itself: its first DNS subject
   * alternative name, or else its subject CN; a description of what is missing otherwise.
   */
  static String certificateName(SSLSession ssl) {
    try {
      Certificate[] chain = ssl == null ? new Certificate[0] : ssl.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return "a caller without an X.509 certificate";
      }
      if (leaf.getSubjectAlternativeNames() != null) {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
          if (((Integer) san.get(0)) == SAN_DNS) {
            return (String) san.get(1);
          }
        }
      }
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
      return "certificate " + leaf.getSubjectX500Principal() + " (no DNS name, no CN)";
    } catch (SSLPeerUnverifiedException e) {
      return "a caller without a verified certificate";
    } catch (CertificateParsingException | InvalidNameException e) {
      return "a caller with an unreadable certificate (" + e.getMessage() + ")";
    }
  }
}
