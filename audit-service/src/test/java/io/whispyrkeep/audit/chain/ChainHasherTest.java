package io.whispyrkeep.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The chain's arithmetic outside Quarkus. The expected hashes are pinned (computed independently
 * with Python's hashlib): a change here would make every stored chain fail verification.
 */
class ChainHasherTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return MAPPER.readTree(text);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Test
  void canonicalJson_keysInAnyOrderAtAnyDepth_sortedAndCompact() throws Exception {
    String canonical =
        ChainHasher.canonicalJson(
            json("{ \"b\": 1,\n \"a\": { \"d\": [1, { \"z\": 1, \"y\": 2 }], \"c\": \"x\" } }"));

    assertThat(canonical).isEqualTo("{\"a\":{\"c\":\"x\",\"d\":[1,{\"y\":2,\"z\":1}]},\"b\":1}");
  }

  @Test
  void canonicalJson_sameEventWrittenDifferently_sameText() throws Exception {
    String one = "{\"type\":\"auth.logout\",\"details\":{\"reason\":\"x\",\"at\":\"now\"}}";
    String other =
        "{\"details\" : {\"at\":\"now\", \"reason\":\"x\"},\n\t\"type\":\"auth.logout\"}";

    assertThat(ChainHasher.canonicalJson(json(one)))
        .isEqualTo(ChainHasher.canonicalJson(json(other)));
  }

  @Test
  void canonicalJson_arrayOrder_kept() throws Exception {
    assertThat(ChainHasher.canonicalJson(json("{\"roles\":[\"b\",\"a\"]}")))
        .isEqualTo("{\"roles\":[\"b\",\"a\"]}");
  }

  @Test
  void genesis_is32ZeroBytes() {
    assertThat(ChainHasher.GENESIS).hasSize(32).containsOnly((byte) 0);
  }

  @Test
  void link_fromGenesis_isSha256OfPreviousHashThenText() {
    assertThat(hex(ChainHasher.link(ChainHasher.GENESIS, "{\"a\":1}")))
        .isEqualTo("b06a229070741292512e8760f470dd7a4c46ccfdf253df781d88dabe58c1ccb1");
  }

  @Test
  void link_secondRowWithNonAsciiText_hashesTheUtf8Bytes() {
    byte[] first = ChainHasher.link(ChainHasher.GENESIS, "{\"seq\":1}");

    assertThat(hex(ChainHasher.link(first, "{\"seq\":2,\"who\":\"\u00e9\"}")))
        .isEqualTo("1a3645a80899ef020418fa90e4203df74d4640173de3370e9097f8a2d505a0af");
  }

  @Test
  void link_sameRowsInAnotherOrder_differentHead() {
    byte[] ab = ChainHasher.link(ChainHasher.link(ChainHasher.GENESIS, "a"), "b");
    byte[] ba = ChainHasher.link(ChainHasher.link(ChainHasher.GENESIS, "b"), "a");

    assertThat(ab).isNotEqualTo(ba);
  }

  @Test
  void link_oneBitOfThePreviousHashFlipped_differentHash() {
    byte[] previous = ChainHasher.link(ChainHasher.GENESIS, "{\"seq\":1}");
    byte[] tampered = previous.clone();
    tampered[31] ^= 1;

    assertThat(ChainHasher.link(tampered, "{\"seq\":2}"))
        .isNotEqualTo(ChainHasher.link(previous, "{\"seq\":2}"));
  }
}
