#include "revocation_list.hpp"

#include <algorithm>
#include <cctype>

#include "axle/core/files.hpp"
#include "tree.hpp"

namespace axle::identity::detail {

Result<bool> RevocationList::contains(const IdentityDocument& doc) {
  if (path_.empty()) return false;
  AXLE_RETURN_IF_ERROR(refresh());
  if (entries_.empty()) return false;
  std::string key;
  append_hex(key, doc.public_key);
  if (entries_.count(key) != 0) return true;
  std::string edid = doc.edid;
  std::transform(edid.begin(), edid.end(), edid.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return entries_.count(edid) != 0;
}

Result<void> RevocationList::refresh() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    entries_.clear();
    loaded_ = false;
    return ok();  // may be absent: nothing revoked
  }
  if (loaded_ && st.st_ino == ino_ && st.st_size == size_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
      st.st_mtim.tv_nsec == mtime_.tv_nsec) {
    return ok();
  }
  AXLE_TRY(std::string text, read_file(path_, 64U << 20));
  entries_.clear();
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    std::string entry(line.substr(0, line.find_first_of(" \t#\r")));
    if (entry.empty()) continue;
    std::transform(entry.begin(), entry.end(), entry.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    entries_.insert(std::move(entry));
  }
  loaded_ = true;
  ino_ = st.st_ino;
  size_ = st.st_size;
  mtime_ = st.st_mtim;
  return ok();
}

}  // namespace axle::identity::detail
