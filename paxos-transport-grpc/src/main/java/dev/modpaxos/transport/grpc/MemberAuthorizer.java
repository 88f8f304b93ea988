package dev.modpaxos.transport.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * With mutual TLS, admits a stream only from a peer whose certificate names a member, and records
 * that member in {@link #PEER_MEMBER} so that a message claiming another sender is refused: the
 * authorization runs once per stream, when it opens, and the per-message check is one integer
 * comparison. The peer's member id comes from its certificate (the TLS handshake already checked
 * the chain against the cluster CA): the leaf's DNS subject alternative names of the form {@code
 * node-<id>}, or if it has none, its subject CN of that form. A certificate naming no member, or
 * naming more than one, is rejected. Thread-safe.
 */
final class MemberAuthorizer implements ServerInterceptor {
  private static final Pattern NAME = Pattern.compile("node-([1-9][0-9]{0,9})");
  private static final int SAN_DNS = 2;

  /**
   * Told about every rejection: the message type (or INVALID), the counter of its reason and a
   * one-line description.
   */
  interface Rejections {
    void reject(String type, TransportCounter reason, String description);
  }

  /**
   * The member the calling peer's certificate names, set for streams admitted under TLS; absent in
   * plaintext. {@link InboundService} checks each message's claimed sender against it.
   */
  static final Context.Key<Integer> PEER_MEMBER = Context.key("modpaxos-peer-member");

  private final Set<Integer> members;
  private final Rejections rejections;

  MemberAuthorizer(Set<Integer> members, Rejections rejections) {
    this.members = members;
    this.rejections = rejections;
  }

  /** The certificate name of member {@code id}, also the authority a client dials it by. */
  static String nameOf(int id) {
    return "node-" + id;
  }

  /**
   * The member id {@code cert} names, or -1 with no such name; throws {@link
   * IllegalArgumentException} if it names more than one.
   */
  static int memberIdOf(X509Certificate cert) {
    Set<Integer> ids = new TreeSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (((Integer) san.get(0)) == SAN_DNS) {
            addId(ids, (String) san.get(1));
          }
        }
      }
      if (ids.isEmpty()) {
        for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
          if (rdn.getType().equalsIgnoreCase("CN")) {
            addId(ids, rdn.getValue().toString());
          }
        }
      }
    } catch (CertificateParsingException | InvalidNameException e) {
      throw new IllegalArgumentException("unreadable certificate names: " + e.getMessage(), e);
    }
    if (ids.size() > 1) {
      throw new IllegalArgumentException("certificate names several members " + ids);
    }
    return ids.isEmpty() ? -1 : ids.iterator().next();
  }

  private static void addId(Set<Integer> ids, String name) {
    Matcher m = NAME.matcher(name);
    if (m.matches()) {
      long id = Long.parseLong(m.group(1));
      if (id <= Integer.MAX_VALUE) {
        ids.add((int) id);
      }
    }
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    int member;
    try {
      member = peerMember(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    } catch (IllegalArgumentException e) {
      String reason =
          "peer " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR) + ": " + e.getMessage();
      rejections.reject(TransportStats.INVALID, TransportCounter.REJECTED_UNAUTHORIZED, reason);
      call.close(Status.PERMISSION_DENIED.withDescription(reason), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(PEER_MEMBER, member), call, headers, next);
  }

  private int peerMember(SSLSession ssl) {
    if (ssl == null) {
      throw new IllegalArgumentException("no TLS session");
    }
    Certificate[] chain;
    try {
      chain = ssl.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new IllegalArgumentException("presented no verified certificate");
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new IllegalArgumentException("presented no X.509 certificate");
    }
    int id = memberIdOf(leaf);
    if (id < 0) {
      throw new IllegalArgumentException(
          "certificate " + leaf.getSubjectX500Principal() + " names no node-<id>");
    }
    if (!members.contains(id)) {
      throw new IllegalArgumentException("certificate names node " + id + ", not a member");
    }
    return id;
  }
}
