package io.whispyrkeep.turn.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder on a fixed loopback port in front of a real service, that a test can take down
 * (the port then refuses connections, as a stopped service's does) and bring back on the same port.
 * It stands in for the network only; the service behind it is the real one.
 */
final class SwitchableProxy implements AutoCloseable {

  private final int port;
  private final int targetPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "switchable-proxy");
            thread.setDaemon(true);
            return thread;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket server;

  private SwitchableProxy(int port, int targetPort) {
    this.port = port;
    this.targetPort = targetPort;
  }

  static SwitchableProxy start(int targetPort) throws IOException {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    SwitchableProxy proxy = new SwitchableProxy(port, targetPort);
    proxy.up();
    return proxy;
  }

  int port() {
    return port;
  }

  /** Accepts and forwards connections again, on the same port. */
  synchronized void up() throws IOException {
    if (server != null && !server.isClosed()) {
      return;
    }
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = socket;
    threads.submit(() -> accept(socket));
  }

  /** Closes the port (new connections are refused) and every forwarded connection. */
  synchronized void down() throws IOException {
    if (server != null) {
      server.close();
    }
    for (Socket socket : open) {
      socket.close();
    }
    open.clear();
  }

  @Override
  public void close() throws IOException {
    down();
    threads.shutdownNow();
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        threads.submit(() -> pipe(client, upstream));
        threads.submit(() -> pipe(upstream, client));
      } catch (IOException e) {
        // Closed by down(), or the target refused: the client's connection is dropped.
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException e) {
      // One side closed: close both.
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
