package io.whispyrkeep.keyvault.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test stand-in for a player's name server: a tiny UDP DNS responder on loopback that answers A and
 * AAAA questions from a table, never answers names marked as stalled (a name server that hangs),
 * and answers NXDOMAIN for anything else. It understands exactly one question per query and no
 * EDNS, which is all the Vert.x DNS client sends.
 */
final class FakeDnsServer implements AutoCloseable {

  private static final int TYPE_A = 1;
  private static final int TYPE_AAAA = 28;

  private final DatagramSocket socket;
  private final Thread thread;
  private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
  private final Map<String, Boolean> stalled = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> questions = new ConcurrentHashMap<>();

  FakeDnsServer() throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "fake-dns");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** {@code name} resolves to these addresses (A for IPv4 ones, AAAA for IPv6 ones). */
  void answer(String name, InetAddress... addresses) {
    stalled.remove(name);
    answers.put(name, List.of(addresses));
  }

  /** Questions about {@code name} are read and never answered. */
  void stall(String name) {
    stalled.put(name, Boolean.TRUE);
  }

  /** How many A questions about {@code name} arrived. */
  int aQuestions(String name) {
    AtomicInteger count = questions.get(name);
    return count == null ? 0 : count.get();
  }

  @Override
  public void close() {
    socket.close();
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        byte[] reply = reply(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()));
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        if (!socket.isClosed()) {
          throw new IllegalStateException("fake DNS server failed", e);
        }
      }
    }
  }

  private byte[] reply(ByteBuffer query) {
    int id = query.getShort(0) & 0xffff;
    int position = 12;
    StringBuilder name = new StringBuilder();
    int length;
    while ((length = query.get(position) & 0xff) != 0) {
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(query.array(), position + 1, length, StandardCharsets.US_ASCII));
      position += length + 1;
    }
    int questionEnd = position + 5;
    int type = query.getShort(position + 1) & 0xffff;
    String host = name.toString().toLowerCase(Locale.ROOT);
    if (type == TYPE_A) {
      questions.computeIfAbsent(host, key -> new AtomicInteger()).incrementAndGet();
    }
    if (stalled.containsKey(host)) {
      return null;
    }
    List<InetAddress> known = answers.get(host);
    List<InetAddress> records =
        known == null
            ? List.of()
            : known.stream()
                .filter(a -> type == TYPE_A ? a instanceof Inet4Address : a instanceof Inet6Address)
                .toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(12);
    header.putShort((short) id);
    // Response, recursion desired and available; NXDOMAIN (3) for unknown names.
    header.putShort((short) (known == null ? 0x8183 : 0x8180));
    header.putShort((short) 1).putShort((short) records.size()).putShort((short) 0);
    header.putShort((short) 0);
    out.writeBytes(header.array());
    out.write(query.array(), 12, questionEnd - 12);
    for (InetAddress record : records) {
      byte[] address = record.getAddress();
      ByteBuffer answer = ByteBuffer.allocate(12 + address.length);
      answer.putShort((short) 0xc00c).putShort((short) type).putShort((short) 1);
      answer.putInt(60).putShort((short) address.length).put(address);
      out.writeBytes(answer.array());
    }
    return out.toByteArray();
  }
}
