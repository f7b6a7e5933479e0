// The built-in fingerprint sources (see docs/identity.md for what each reads and why).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "axle/identity/source.hpp"

namespace axle::identity {

std::unique_ptr<Source> make_tpm_pcr_source();           // high: PCRs of TpmOptions::pcrs, SHA-256
std::unique_ptr<Source> make_tpm_ek_source();            // high: endorsement key public area
std::unique_ptr<Source> make_machine_id_source();        // medium: /etc/machine-id
std::unique_ptr<Source> make_dmi_product_uuid_source();  // medium: /sys/class/dmi/id/product_uuid
std::unique_ptr<Source> make_dmi_board_serial_source();  // medium: /sys/class/dmi/id/board_serial
std::unique_ptr<Source> make_cpuid_source();             // medium: vendor, family, model, stepping
std::unique_ptr<Source> make_root_disk_source();         // medium: serial or WWN of the root disk
std::unique_ptr<Source> make_rdtsc_jitter_source();      // medium, numeric: TSC read jitter
std::unique_ptr<Source> make_pcie_latency_source();      // medium, numeric: PCI config read time
std::unique_ptr<Source> make_nic_mac_source();           // low: MACs of physical NICs
std::unique_ptr<Source> make_boot_id_source();           // session
std::unique_ptr<Source> make_boot_time_source();         // session
std::unique_ptr<Source> make_tpm_pcr_latency_source();   // high, numeric: PCR read latency

// Every built-in source, in the fixed order the fusion uses.
SourceList builtin_sources();

// Names of every built-in source, in that order.
std::span<const std::string_view> builtin_source_names() noexcept;

}  // namespace axle::identity
