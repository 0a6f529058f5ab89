// The wg-quick importer. Oracle: an imported profile is valid, and its serialized form parses
// back to the same profile; a refused import says why.
#include "Profile.h"
#include "WgQuickImport.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace peertun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    const WgQuickImport r = importWgQuick(text, QStringLiteral("imported"));
    if (!r.profile) {
        if (r.errors.isEmpty()) {
            std::abort(); // refused without a reason
        }
        return 0;
    }
    if (!r.errors.isEmpty() || !validateProfile(*r.profile).isEmpty()) {
        std::abort();
    }
    const QByteArray json = serializeProfile(*r.profile);
    const ProfileParseResult again = parseProfile(json);
    if (!again.ok() || !(*again.profile == *r.profile)) {
        std::fprintf(stderr, "the imported profile does not re-parse:\n%s\n%s\n", text.constData(),
                     json.constData());
        if (!again.ok()) {
            std::fprintf(stderr, "%s\n", qPrintable(again.errorText()));
        }
        std::abort();
    }
    return 0;
}
