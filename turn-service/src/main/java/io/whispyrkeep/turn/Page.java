package io.whispyrkeep.turn;

import java.util.List;

/**
 * One page of a list, newest first.
 *
 * @param items this page
 * @param next an opaque cursor for the next page ({@code ?cursor=}), or null on the last page
 */
public record Page<T>(List<T> items, String next) {

  public Page {
    items = List.copyOf(items);
  }
}
