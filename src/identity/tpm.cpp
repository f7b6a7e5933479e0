#include "axle/identity/tpm.hpp"

#include <fmt/format.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "axle/core/clock.hpp"

namespace axle::identity {

namespace {

// tpm2-tss logs failures to stderr by default; axle reports them as Errors instead. An explicit
// TSS2_LOG setting of the user is kept.
void quiet_tss_logging() {
  static std::once_flag once;
  std::call_once(once, [] { ::setenv("TSS2_LOG", "all+NONE", 0); });
}

struct EsysFree {
  void operator()(void* p) const { Esys_Free(p); }
};
template <typename T>
using EsysPtr = std::unique_ptr<T, EsysFree>;

// Owns the TCTI and the ESYS context (finalised in reverse order).
class Tpm {
 public:
  static Result<Tpm> open(const std::string& tcti) {
    quiet_tss_logging();
    if (tcti.rfind("device:", 0) == 0) {
      std::string path = tcti.substr(7);
      if (::access(path.c_str(), F_OK) != 0) {
        return make_error(ErrorCode::kNotFound, fmt::format("no TPM: {} does not exist", path));
      }
      if (::access(path.c_str(), R_OK | W_OK) != 0) {
        return make_error(ErrorCode::kPermissionDenied,
                          fmt::format("no access to {}; add this user to the 'tss' group", path));
      }
    }
    Tpm tpm;
    TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti.c_str(), &tpm.tcti_);
    if (rc != TSS2_RC_SUCCESS) {
      return make_error(ErrorCode::kNotFound,
                        fmt::format("no TPM: TCTI '{}' did not open (0x{:x}); check the TCTI "
                                    "string and that the TPM or simulator runs",
                                    tcti, rc));
    }
    rc = Esys_Initialize(&tpm.esys_, tpm.tcti_, nullptr);
    if (rc != TSS2_RC_SUCCESS) {
      return make_error(ErrorCode::kIo,
                        fmt::format("ESAPI initialisation over '{}' failed (0x{:x})", tcti, rc));
    }
    return tpm;
  }

  Tpm(Tpm&& other) noexcept
      : tcti_(std::exchange(other.tcti_, nullptr)), esys_(std::exchange(other.esys_, nullptr)) {}
  Tpm& operator=(Tpm&&) = delete;
  Tpm(const Tpm&) = delete;
  Tpm& operator=(const Tpm&) = delete;
  ~Tpm() {
    if (esys_ != nullptr) Esys_Finalize(&esys_);
    if (tcti_ != nullptr) Tss2_TctiLdr_Finalize(&tcti_);
  }

  ESYS_CONTEXT* esys() const { return esys_; }

 private:
  Tpm() = default;
  TSS2_TCTI_CONTEXT* tcti_ = nullptr;
  ESYS_CONTEXT* esys_ = nullptr;
};

Error tpm_error(std::string_view what, TSS2_RC rc) {
  return make_error(ErrorCode::kIo, fmt::format("TPM {} failed (response code 0x{:x})", what, rc));
}

}  // namespace

Result<std::vector<PcrValue>> tpm_read_pcrs(const std::string& tcti,
                                            std::span<const unsigned> pcrs) {
  for (unsigned p : pcrs) {
    if (p >= 24) {
      return make_error(ErrorCode::kInvalidArgument,
                        fmt::format("PCR {} does not exist; PCRs are 0..23", p));
    }
  }
  if (pcrs.empty()) return make_error(ErrorCode::kInvalidArgument, "no PCR selected");
  AXLE_TRY(Tpm tpm, Tpm::open(tcti));

  std::array<bool, 24> wanted{};
  for (unsigned p : pcrs) wanted[p] = true;
  std::array<std::optional<std::array<std::uint8_t, 32>>, 24> values{};
  // TPM2_PCR_Read returns at most 8 digests per call (TPM 2.0 Part 3 §22.4): repeat with what
  // is still missing.
  for (int round = 0; round < 4; ++round) {
    TPML_PCR_SELECTION selection{};
    selection.count = 1;
    selection.pcrSelections[0].hash = TPM2_ALG_SHA256;
    selection.pcrSelections[0].sizeofSelect = 3;
    bool any = false;
    for (unsigned p = 0; p < 24; ++p) {
      if (wanted[p] && !values[p]) {
        selection.pcrSelections[0].pcrSelect[p / 8] |= static_cast<BYTE>(1U << (p % 8));
        any = true;
      }
    }
    if (!any) break;
    UINT32 counter = 0;
    TPML_PCR_SELECTION* out_selection_raw = nullptr;
    TPML_DIGEST* digests_raw = nullptr;
    TSS2_RC rc = Esys_PCR_Read(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &selection,
                               &counter, &out_selection_raw, &digests_raw);
    EsysPtr<TPML_PCR_SELECTION> out_selection(out_selection_raw);
    EsysPtr<TPML_DIGEST> digests(digests_raw);
    if (rc != TSS2_RC_SUCCESS) return tpm_error("PCR_Read", rc);
    // The digests follow the order of the returned selection: banks, then ascending PCRs.
    UINT32 next = 0;
    for (UINT32 b = 0; b < out_selection->count; ++b) {
      const auto& bank = out_selection->pcrSelections[b];
      for (unsigned p = 0; p < 24 && p / 8 < bank.sizeofSelect; ++p) {
        if ((bank.pcrSelect[p / 8] & (1U << (p % 8))) == 0) continue;
        if (next >= digests->count) return tpm_error("PCR_Read (short response)", 0);
        const TPM2B_DIGEST& d = digests->digests[next++];
        if (bank.hash != TPM2_ALG_SHA256) continue;
        if (d.size != 32) return tpm_error("PCR_Read (digest size)", 0);
        std::array<std::uint8_t, 32> v{};
        std::memcpy(v.data(), d.buffer, 32);
        values[p] = v;
      }
    }
    if (next == 0) {
      return make_error(ErrorCode::kUnsupported,
                        "the TPM has no active SHA-256 PCR bank; enable it with tpm2_pcrallocate");
    }
  }
  std::vector<PcrValue> out;
  for (unsigned p : pcrs) {
    if (!values[p]) return tpm_error("PCR_Read (PCR not returned)", 0);
    out.push_back(PcrValue{p, *values[p]});
  }
  return out;
}

Result<std::vector<double>> tpm_pcr_read_latencies_us(const std::string& tcti, unsigned pcr,
                                                      int count) {
  if (pcr >= 24) {
    return make_error(ErrorCode::kInvalidArgument,
                      fmt::format("PCR {} does not exist; PCRs are 0..23", pcr));
  }
  if (count <= 0) return make_error(ErrorCode::kInvalidArgument, "no PCR reads requested");
  AXLE_TRY(Tpm tpm, Tpm::open(tcti));
  TPML_PCR_SELECTION selection{};
  selection.count = 1;
  selection.pcrSelections[0].hash = TPM2_ALG_SHA256;
  selection.pcrSelections[0].sizeofSelect = 3;
  selection.pcrSelections[0].pcrSelect[pcr / 8] = static_cast<BYTE>(1U << (pcr % 8));
  auto read_once = [&]() -> Result<void> {
    UINT32 counter = 0;
    TPML_PCR_SELECTION* out_selection_raw = nullptr;
    TPML_DIGEST* digests_raw = nullptr;
    TSS2_RC rc = Esys_PCR_Read(tpm.esys(), ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &selection,
                               &counter, &out_selection_raw, &digests_raw);
    EsysPtr<TPML_PCR_SELECTION> out_selection(out_selection_raw);
    EsysPtr<TPML_DIGEST> digests(digests_raw);
    if (rc != TSS2_RC_SUCCESS) return tpm_error("PCR_Read", rc);
    if (digests == nullptr || digests->count != 1) {
      return make_error(ErrorCode::kUnsupported,
                        "the TPM has no active SHA-256 PCR bank; enable it with tpm2_pcrallocate");
    }
    return ok();
  };
  AXLE_RETURN_IF_ERROR(read_once());
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const std::int64_t t0 = monotonic_ns();
    AXLE_RETURN_IF_ERROR(read_once());
    us.push_back(static_cast<double>(monotonic_ns() - t0) / 1000.0);
  }
  return us;
}

namespace {

struct Primary {
  ESYS_TR handle = ESYS_TR_NONE;
  EsysPtr<TPM2B_PUBLIC> out_public;
};

// TPM2_CreatePrimary under `hierarchy` ("endorsement" or "owner" in messages) with no
// authorization value, outside info or creation PCRs; the creation data is not kept.
Result<Primary> create_primary(const Tpm& tpm, ESYS_TR hierarchy, const TPM2B_PUBLIC& in_public,
                               const char* hierarchy_name) {
  TPM2B_SENSITIVE_CREATE in_sensitive{};
  TPM2B_DATA outside_info{};
  TPML_PCR_SELECTION creation_pcr{};
  Primary primary;
  TPM2B_PUBLIC* out_public = nullptr;
  TPM2B_CREATION_DATA* creation_data = nullptr;
  TPM2B_DIGEST* creation_hash = nullptr;
  TPMT_TK_CREATION* creation_ticket = nullptr;
  const TSS2_RC rc =
      Esys_CreatePrimary(tpm.esys(), hierarchy, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                         &in_sensitive, &in_public, &outside_info, &creation_pcr, &primary.handle,
                         &out_public, &creation_data, &creation_hash, &creation_ticket);
  primary.out_public.reset(out_public);
  EsysPtr<TPM2B_CREATION_DATA> data(creation_data);
  EsysPtr<TPM2B_DIGEST> hash(creation_hash);
  EsysPtr<TPMT_TK_CREATION> ticket(creation_ticket);
  if (rc != TSS2_RC_SUCCESS) {
    return make_error(ErrorCode::kIo,
                      fmt::format("TPM CreatePrimary under the {0} hierarchy failed (response "
                                  "code 0x{1:x}); the {0} hierarchy may need its password",
                                  hierarchy_name, rc));
  }
  return primary;
}

}  // namespace

Result<std::vector<std::uint8_t>> tpm_ek_public(const std::string& tcti) {
  AXLE_TRY(Tpm tpm, Tpm::open(tcti));
  // TCG EK Credential Profile 2.0 §B.3.4, template L-2: ECC NIST P-256 EK with policy A.
  TPM2B_PUBLIC in_public{};
  TPMT_PUBLIC& area = in_public.publicArea;
  area.type = TPM2_ALG_ECC;
  area.nameAlg = TPM2_ALG_SHA256;
  area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                          TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  static constexpr std::uint8_t kPolicyA[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8,
                                                0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
                                                0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64,
                                                0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA};
  area.authPolicy.size = sizeof(kPolicyA);
  std::memcpy(area.authPolicy.buffer, kPolicyA, sizeof(kPolicyA));
  area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
  area.parameters.eccDetail.symmetric.keyBits.aes = 128;
  area.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  area.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  area.unique.ecc.x.size = 32;
  area.unique.ecc.y.size = 32;

  AXLE_TRY(Primary ek, create_primary(tpm, ESYS_TR_RH_ENDORSEMENT, in_public, "endorsement"));
  const ESYS_TR handle = ek.handle;
  const EsysPtr<TPM2B_PUBLIC>& out_public = ek.out_public;
  (void)Esys_FlushContext(tpm.esys(), handle);

  std::vector<std::uint8_t> marshalled(sizeof(TPMT_PUBLIC));
  size_t offset = 0;
  TSS2_RC rc = Tss2_MU_TPMT_PUBLIC_Marshal(&out_public->publicArea, marshalled.data(),
                                           marshalled.size(), &offset);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("marshalling of the EK public area", rc);
  marshalled.resize(offset);
  return marshalled;
}

namespace {

// The TCG storage root key template (TCG TPM v2.0 Provisioning Guidance §7.5.1, ECC P-256):
// restricted decryption key with AES-128-CFB, created from the owner hierarchy's seed, so the
// same key comes back on every call on one TPM and no handle has to be persisted.
Result<Primary> create_storage_primary(const Tpm& tpm) {
  TPM2B_PUBLIC in_public{};
  TPMT_PUBLIC& area = in_public.publicArea;
  area.type = TPM2_ALG_ECC;
  area.nameAlg = TPM2_ALG_SHA256;
  area.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                          TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
  area.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
  area.parameters.eccDetail.symmetric.keyBits.aes = 128;
  area.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
  area.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
  area.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
  area.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
  return create_primary(tpm, ESYS_TR_RH_OWNER, in_public, "owner");
}

// The object name (nameAlg || digest of the public area) of a loaded key, as ESAPI computed it
// from the public area the TPM returned.
Result<TPM2B_NAME> name_of(const Tpm& tpm, ESYS_TR handle) {
  TPM2B_NAME* raw = nullptr;
  const TSS2_RC rc = Esys_TR_GetName(tpm.esys(), handle, &raw);
  EsysPtr<TPM2B_NAME> name(raw);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("name of the storage key", rc);
  return *name;
}

// Flushes a transient object when it goes out of scope.
class Transient {
 public:
  Transient(const Tpm& tpm, ESYS_TR handle) : tpm_(tpm), handle_(handle) {}
  ~Transient() {
    if (handle_ != ESYS_TR_NONE) (void)Esys_FlushContext(tpm_.esys(), handle_);
  }
  Transient(const Transient&) = delete;
  Transient& operator=(const Transient&) = delete;
  [[nodiscard]] ESYS_TR get() const { return handle_; }

 private:
  const Tpm& tpm_;
  ESYS_TR handle_;
};

constexpr std::size_t kMaxSealed = 128;  // MAX_SYM_DATA, TPM 2.0 Part 2 §10.4.3

// An HMAC session salted with the storage primary key whose only job is parameter encryption
// (AES-128-CFB, TPM 2.0 Part 1 §21): the secret crosses the bus encrypted in TPM2_Create's
// command and TPM2_Unseal's response, so a passive sniffer on the TPM bus does not see it.
Result<ESYS_TR> start_encrypted_session(const Tpm& tpm, ESYS_TR salt_key) {
  TPMT_SYM_DEF symmetric{};
  symmetric.algorithm = TPM2_ALG_AES;
  symmetric.keyBits.aes = 128;
  symmetric.mode.aes = TPM2_ALG_CFB;
  ESYS_TR session = ESYS_TR_NONE;
  TSS2_RC rc = Esys_StartAuthSession(tpm.esys(), salt_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     ESYS_TR_NONE, nullptr, TPM2_SE_HMAC, &symmetric,
                                     TPM2_ALG_SHA256, &session);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("StartAuthSession (parameter encryption)", rc);
  rc = Esys_TRSess_SetAttributes(
      tpm.esys(), session,
      TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION, 0xff);
  if (rc != TSS2_RC_SUCCESS) {
    (void)Esys_FlushContext(tpm.esys(), session);
    return tpm_error("session attributes", rc);
  }
  return session;
}

}  // namespace

Result<std::vector<std::uint8_t>> tpm_seal(const std::string& tcti, const SecretBytes& secret) {
  if (secret.size() == 0 || secret.size() > kMaxSealed) {
    return make_error(ErrorCode::kInvalidArgument, "a sealed secret has 1 to 128 bytes");
  }
  AXLE_TRY(Tpm tpm, Tpm::open(tcti));
  AXLE_TRY(Primary storage, create_storage_primary(tpm));
  Transient primary(tpm, storage.handle);
  AXLE_TRY(const TPM2B_NAME primary_name, name_of(tpm, primary.get()));
  AXLE_TRY(ESYS_TR session_handle, start_encrypted_session(tpm, primary.get()));
  Transient session(tpm, session_handle);

  TPM2B_PUBLIC in_public{};
  TPMT_PUBLIC& area = in_public.publicArea;
  area.type = TPM2_ALG_KEYEDHASH;
  area.nameAlg = TPM2_ALG_SHA256;
  // A data object: no sign/decrypt use, cannot leave this TPM or move to another parent, and
  // usable with the (empty) object password only, never through duplication.
  area.objectAttributes =
      TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
  area.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
  TPM2B_SENSITIVE_CREATE in_sensitive{};
  in_sensitive.sensitive.data.size = static_cast<UINT16>(secret.size());
  std::memcpy(in_sensitive.sensitive.data.buffer, secret.view().data(), secret.size());
  TPM2B_DATA outside_info{};
  TPML_PCR_SELECTION creation_pcr{};
  TPM2B_PRIVATE* out_private_raw = nullptr;
  TPM2B_PUBLIC* out_public_raw = nullptr;
  TPM2B_CREATION_DATA* creation_data = nullptr;
  TPM2B_DIGEST* creation_hash = nullptr;
  TPMT_TK_CREATION* creation_ticket = nullptr;
  TSS2_RC rc =
      Esys_Create(tpm.esys(), primary.get(), ESYS_TR_PASSWORD, session.get(), ESYS_TR_NONE,
                  &in_sensitive, &in_public, &outside_info, &creation_pcr, &out_private_raw,
                  &out_public_raw, &creation_data, &creation_hash, &creation_ticket);
  secure_wipe(&in_sensitive, sizeof in_sensitive);
  EsysPtr<TPM2B_PRIVATE> out_private(out_private_raw);
  EsysPtr<TPM2B_PUBLIC> out_public(out_public_raw);
  EsysPtr<TPM2B_CREATION_DATA> p1(creation_data);
  EsysPtr<TPM2B_DIGEST> p2(creation_hash);
  EsysPtr<TPMT_TK_CREATION> p3(creation_ticket);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Create of the sealed object", rc);

  std::vector<std::uint8_t> blob(sizeof(TPM2B_PUBLIC) + sizeof(TPM2B_PRIVATE) + sizeof(TPM2B_NAME));
  size_t offset = 0;
  rc = Tss2_MU_TPM2B_PUBLIC_Marshal(out_public.get(), blob.data(), blob.size(), &offset);
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_MU_TPM2B_PRIVATE_Marshal(out_private.get(), blob.data(), blob.size(), &offset);
  }
  if (rc == TSS2_RC_SUCCESS) {
    rc = Tss2_MU_TPM2B_NAME_Marshal(&primary_name, blob.data(), blob.size(), &offset);
  }
  if (rc != TSS2_RC_SUCCESS) return tpm_error("marshalling of the sealed object", rc);
  blob.resize(offset);
  return blob;
}

Result<SecretBytes> tpm_unseal(const std::string& tcti, std::span<const std::uint8_t> sealed) {
  TPM2B_PUBLIC in_public{};
  TPM2B_PRIVATE in_private{};
  std::optional<TPM2B_NAME> pinned_name;  // absent in blobs sealed before the pin existed
  size_t offset = 0;
  bool parsed = Tss2_MU_TPM2B_PUBLIC_Unmarshal(sealed.data(), sealed.size(), &offset, &in_public) ==
                    TSS2_RC_SUCCESS &&
                Tss2_MU_TPM2B_PRIVATE_Unmarshal(sealed.data(), sealed.size(), &offset,
                                                &in_private) == TSS2_RC_SUCCESS;
  if (parsed && offset < sealed.size()) {
    pinned_name.emplace();
    parsed = Tss2_MU_TPM2B_NAME_Unmarshal(sealed.data(), sealed.size(), &offset, &*pinned_name) ==
             TSS2_RC_SUCCESS;
  }
  if (!parsed || offset != sealed.size()) {
    return make_error(ErrorCode::kCorrupt, "the sealed blob is not a TPM public/private pair");
  }
  AXLE_TRY(Tpm tpm, Tpm::open(tcti));
  AXLE_TRY(Primary storage, create_storage_primary(tpm));
  Transient primary(tpm, storage.handle);
  // The session below is salted with this key: it must be the storage key the secret was sealed
  // under, or whoever answers in the TPM's place could decrypt the salt, and so the secret.
  if (pinned_name) {
    AXLE_TRY(const TPM2B_NAME name, name_of(tpm, primary.get()));
    if (name.size != pinned_name->size ||
        std::memcmp(name.name, pinned_name->name, name.size) != 0) {
      return make_error(ErrorCode::kPermissionDenied,
                        "this TPM's storage key is not the one the secret was sealed under: it "
                        "was sealed by another TPM, this TPM's owner hierarchy was cleared, or "
                        "something answers in the TPM's place; the secret is not unsealed");
    }
  }
  ESYS_TR object_handle = ESYS_TR_NONE;
  TSS2_RC rc = Esys_Load(tpm.esys(), primary.get(), ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                         &in_private, &in_public, &object_handle);
  if (rc != TSS2_RC_SUCCESS) {
    // The private part is bound to the primary key (an HMAC and a key from its seed): another
    // TPM, or this one after TPM2_Clear, cannot load it.
    return make_error(ErrorCode::kPermissionDenied,
                      fmt::format("this TPM cannot load the sealed secret (response code 0x{:x}): "
                                  "it was sealed by another TPM, or this TPM's owner hierarchy "
                                  "was cleared",
                                  rc));
  }
  Transient object(tpm, object_handle);
  AXLE_TRY(ESYS_TR session_handle, start_encrypted_session(tpm, primary.get()));
  Transient session(tpm, session_handle);
  TPM2B_SENSITIVE_DATA* data_raw = nullptr;
  rc = Esys_Unseal(tpm.esys(), object.get(), ESYS_TR_PASSWORD, session.get(), ESYS_TR_NONE,
                   &data_raw);
  EsysPtr<TPM2B_SENSITIVE_DATA> data(data_raw);
  if (rc != TSS2_RC_SUCCESS) return tpm_error("Unseal", rc);
  SecretBytes secret(std::span<const std::uint8_t>(data->buffer, data->size));
  secure_wipe(data->buffer, sizeof data->buffer);
  return secret;
}

}  // namespace axle::identity
