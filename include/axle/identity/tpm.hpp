// TPM 2.0 access through tpm2-tss ESAPI: PCR values (SHA-256 bank) and the endorsement key.
//
// `tcti` is a TCTI loader string ("device:/dev/tpmrm0", "swtpm:host=127.0.0.1,port=2321", ...).
// Errors say whether there is no TPM (kNotFound), no access (kPermissionDenied) or a TPM error.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "axle/core/result.hpp"
#include "axle/core/secret.hpp"

namespace axle::identity {

struct PcrValue {
  unsigned index = 0;
  std::array<std::uint8_t, 32> sha256{};
};

// Reads the SHA-256 bank values of `pcrs` (0..23), in the order given.
[[nodiscard]] Result<std::vector<PcrValue>> tpm_read_pcrs(const std::string& tcti,
                                                          std::span<const unsigned> pcrs);

// The latency of `count` reads of one PCR (SHA-256 bank), in microseconds each, over one open
// connection after one untimed warm-up read (which pays for session and TCTI setup). A TPM
// replaced by an emulator, or relayed over a network, answers with another latency profile.
[[nodiscard]] Result<std::vector<double>> tpm_pcr_read_latencies_us(const std::string& tcti,
                                                                    unsigned pcr, int count);

// The public area (TPMT_PUBLIC, marshalled) of the ECC P-256 endorsement key created from the
// TCG EK Credential Profile template L-2. The key is derived from the endorsement primary seed,
// so it is the same every time on one TPM and differs between TPMs.
[[nodiscard]] Result<std::vector<std::uint8_t>> tpm_ek_public(const std::string& tcti);

// Sealing a small secret (at most 128 bytes) to this TPM: a keyed-hash data object created
// (TPM2_Create) under the storage primary key of the owner hierarchy — an ECC P-256 key from the
// TCG "SRK" template, re-created from the owner seed each time, never stored. The result is the
// object's public and private parts and the primary key's name, marshalled (TPM2B_PUBLIC,
// TPM2B_PRIVATE, TPM2B_NAME); the private part is encrypted and integrity-protected by the primary
// key, so the blob is useless to anyone without this TPM. Both commands use a session salted with
// the primary key and parameter encryption, so the secret does not cross the TPM bus in clear;
// unsealing first checks the primary's name against the pinned one, so an impostor's key is never
// used for the salt. Unsealing on another TPM, or after the owner hierarchy was cleared, fails
// with kPermissionDenied and says so. Blobs without the name (sealed by earlier versions) unseal.
[[nodiscard]] Result<std::vector<std::uint8_t>> tpm_seal(const std::string& tcti,
                                                         const SecretBytes& secret);
[[nodiscard]] Result<SecretBytes> tpm_unseal(const std::string& tcti,
                                             std::span<const std::uint8_t> sealed);

}  // namespace axle::identity
