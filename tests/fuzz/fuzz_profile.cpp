// The profile parser and validator. Oracle: whatever parses is valid, serializes to a
// document that parses to the same profile, and serializes again byte for byte the same;
// whatever is refused says why, in full sentences, and never more than the cap.
#include "Profile.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace peertun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char*>(data), qsizetype(size));
    const ProfileParseResult r = parseProfile(json);
    if (!r.ok()) {
        if (r.profile || r.errors.size() > kMaxProfileErrors) {
            std::abort();
        }
        for (const ProfileError& e : r.errors) {
            if (e.message.isEmpty() || !e.message.endsWith(u'.')) {
                std::fprintf(stderr, "not a sentence: %s\n", qPrintable(e.message));
                std::abort();
            }
        }
        return 0;
    }
    const Profile& p = *r.profile;
    if (!validateProfile(p).isEmpty()) {
        std::abort(); // parsed but the validator refuses it
    }
    const QByteArray text = serializeProfile(p);
    const ProfileParseResult again = parseProfile(text);
    if (!again.ok() || !(*again.profile == p)) {
        std::fprintf(stderr, "round trip changed the profile:\n%s\n%s\n", json.constData(),
                     text.constData());
        std::abort();
    }
    if (serializeProfile(*again.profile) != text) {
        std::abort(); // not canonical
    }
    return 0;
}
