package io.whispyrkeep.keyvault.custody;

/**
 * The state of the transit key: the version new ciphertexts are made with, and the oldest version
 * that still decrypts.
 */
public record TransitKeyInfo(int latestVersion, int minDecryptionVersion) {}
