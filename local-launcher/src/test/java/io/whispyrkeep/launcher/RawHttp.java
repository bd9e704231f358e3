package io.whispyrkeep.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket: the request goes out byte for byte as written (paths no client
 * library would send), optionally from a chosen loopback address (Linux answers on all of
 * 127.0.0.0/8), and one response with a Content-Length body is read back.
 */
final class RawHttp {

  private RawHttp() {}

  /** One response. */
  record Response(int status, Map<String, String> headers, String body) {

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  static Response send(int port, String raw) throws IOException {
    return send(null, port, raw);
  }

  static Response send(String localAddress, int port, String raw) throws IOException {
    try (Socket socket = new Socket()) {
      if (localAddress != null) {
        socket.bind(new InetSocketAddress(localAddress, 0));
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(socket.getInputStream());
    }
  }

  /** A JSON POST that closes the connection after the answer. */
  static String postJson(String path, Map<String, String> headers, String json) {
    StringBuilder request =
        new StringBuilder("POST ")
            .append(path)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n")
            .append("Content-Type: application/json\r\n")
            .append("Content-Length: ")
            .append(json.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n");
    headers.forEach(
        (name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    return request.append("\r\n").append(json).toString();
  }

  private static Response read(InputStream in) throws IOException {
    String head = readHead(in);
    List<String> lines = List.of(head.split("\r\n"));
    int status = Integer.parseInt(lines.get(0).split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    String end = "\r\n\r\n";
    int matched = 0;
    while (matched < end.length()) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the response head ended: " + head);
      }
      head.write(b);
      matched = b == end.charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - end.length());
  }
}
