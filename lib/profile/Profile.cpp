// Value types, field parsers and semantic validation of a profile. The JSON side (reading
// keys and types, writing the canonical document) is in ProfileJson.cpp.
#include "Profile.h"

#include "Keys.h"
#include "ProfileText.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>
#include <algorithm>
#include <array>

namespace peertun {

using profile_detail::indexPath;
using profile_detail::joinPath;
using profile_detail::quoted;

namespace profile_detail {

QString quoted(const QString& value)
{
    constexpr qsizetype kMaxQuoted = 80;
    QString out = QStringLiteral("\"");
    qsizetype shown = 0;
    for (const QChar c : value) {
        if (shown == kMaxQuoted) {
            out += QStringLiteral("…");
            break;
        }
        ++shown;
        if (c == u'"' || c == u'\\') {
            out += u'\\';
            out += c;
        } else if (c == u'\n') {
            out += QStringLiteral("\\n");
        } else if (c == u'\t') {
            out += QStringLiteral("\\t");
        } else if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format) {
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QChar(u'0'));
        } else {
            out += c;
        }
    }
    out += u'"';
    return out;
}

QString joinPath(const QString& parent, const QString& key)
{
    return parent.isEmpty() ? key : parent + u'.' + key;
}

QString indexPath(const QString& parent, qsizetype index)
{
    return parent + u'[' + QString::number(index) + u']';
}

} // namespace profile_detail

namespace {

using AddressBytes = std::array<quint8, 16>;

bool isIp(const QHostAddress& a)
{
    return a.protocol() == QAbstractSocket::IPv4Protocol ||
           a.protocol() == QAbstractSocket::IPv6Protocol;
}

int addressBits(const QHostAddress& a)
{
    return a.protocol() == QAbstractSocket::IPv6Protocol ? 128 : 32;
}

QString familyName(const QHostAddress& a)
{
    return a.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("IPv6")
                                                         : QStringLiteral("IPv4");
}

AddressBytes bytesOf(const QHostAddress& a)
{
    AddressBytes b{};
    if (a.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v = a.toIPv4Address();
        b[0] = quint8(v >> 24);
        b[1] = quint8(v >> 16);
        b[2] = quint8(v >> 8);
        b[3] = quint8(v);
    } else if (a.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR v = a.toIPv6Address();
        for (int i = 0; i < 16; ++i) {
            b[size_t(i)] = v[i];
        }
    }
    return b;
}

QHostAddress addressFromBytes(const AddressBytes& b, QAbstractSocket::NetworkLayerProtocol family)
{
    if (family == QAbstractSocket::IPv4Protocol) {
        return QHostAddress(quint32(b[0]) << 24 | quint32(b[1]) << 16 | quint32(b[2]) << 8 |
                            quint32(b[3]));
    }
    Q_IPV6ADDR v;
    for (int i = 0; i < 16; ++i) {
        v[i] = b[size_t(i)];
    }
    return QHostAddress(v);
}

// True if the first `bits` bits of x and y are equal.
bool samePrefix(const AddressBytes& x, const AddressBytes& y, int bits)
{
    int i = 0;
    for (; bits >= 8; bits -= 8, ++i) {
        if (x[size_t(i)] != y[size_t(i)]) {
            return false;
        }
    }
    if (bits == 0) {
        return true;
    }
    const quint8 mask = quint8(0xff << (8 - bits));
    return (x[size_t(i)] & mask) == (y[size_t(i)] & mask);
}

bool prefixInRange(const Cidr& c)
{
    return isIp(c.address) && c.prefixLength >= 0 && c.prefixLength <= addressBits(c.address);
}

bool isV4Mapped(const QHostAddress& a)
{
    if (a.protocol() != QAbstractSocket::IPv6Protocol) {
        return false;
    }
    const AddressBytes b = bytesOf(a);
    return std::all_of(b.begin(), b.begin() + 10, [](quint8 x) { return x == 0; }) &&
           b[10] == 0xff && b[11] == 0xff;
}

bool isAsciiDigits(QStringView s)
{
    return !s.isEmpty() &&
           std::all_of(s.begin(), s.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// Plain dotted decimal, four parts 0..255 without leading zeros. QHostAddress would also take
// "10.1" and, depending on the platform, read "010" as octal; neither belongs in a profile.
bool isStrictDottedQuad(QStringView s)
{
    const auto parts = s.split(u'.');
    if (parts.size() != 4) {
        return false;
    }
    for (const QStringView part : parts) {
        if (!isAsciiDigits(part) || part.size() > 3 || (part.size() > 1 && part[0] == u'0')) {
            return false;
        }
        if (part.toInt() > 255) {
            return false;
        }
    }
    return true;
}

// Parses an IP literal; on failure returns nullopt and a reason fragment (no final period).
std::optional<QHostAddress> parseIpLiteral(const QString& text, QString* reason)
{
    if (text.isEmpty()) {
        *reason = QCoreApplication::translate("peertun::Profile", "the address is empty");
        return std::nullopt;
    }
    if (std::any_of(text.begin(), text.end(), [](QChar c) { return c.isSpace(); })) {
        *reason = QCoreApplication::translate("peertun::Profile", "%1 contains whitespace")
                      .arg(quoted(text));
        return std::nullopt;
    }
    if (text.contains(u'%')) {
        *reason = QCoreApplication::translate("peertun::Profile",
                                              "%1 has a scope ID, which is not supported")
                      .arg(quoted(text));
        return std::nullopt;
    }
    QHostAddress address;
    if (text.contains(u':')) {
        if (!address.setAddress(text) || address.protocol() != QAbstractSocket::IPv6Protocol) {
            *reason =
                QCoreApplication::translate("peertun::Profile", "%1 is not a valid IPv6 address")
                    .arg(quoted(text));
            return std::nullopt;
        }
        if (isV4Mapped(address)) {
            *reason =
                QCoreApplication::translate(
                    "peertun::Profile", "%1 is an IPv4-mapped IPv6 address; write the IPv4 address "
                                        "itself")
                    .arg(quoted(text));
            return std::nullopt;
        }
        return address;
    }
    const bool looksNumeric = std::all_of(
        text.begin(), text.end(), [](QChar c) { return (c >= u'0' && c <= u'9') || c == u'.'; });
    if (looksNumeric) {
        if (!isStrictDottedQuad(text) || !address.setAddress(text)) {
            *reason =
                QCoreApplication::translate(
                    "peertun::Profile", "%1 is not a valid IPv4 address (four numbers 0 to 255, "
                                        "like 10.244.2.2)")
                    .arg(quoted(text));
            return std::nullopt;
        }
        return address;
    }
    *reason = QCoreApplication::translate("peertun::Profile", "%1 is not an IPv4 or IPv6 address")
                  .arg(quoted(text));
    return std::nullopt;
}

// Neither an IPv6 literal (has ':') nor something that reads as a number (IPv4 and its
// malformed variants, which get the IPv4 message): then it is meant as a DNS name.
bool looksLikeHostName(const QString& text)
{
    if (text.contains(u':') || text.contains(u'%')) {
        return false;
    }
    return !std::all_of(text.begin(), text.end(),
                        [](QChar c) { return (c >= u'0' && c <= u'9') || c == u'.'; });
}

// Why `name` is not a usable DNS host name (a fragment without the final period), or empty.
QString hostNameProblem(const QString& name)
{
    const auto msg = [](const QString& why) { return why; };
    if (name.isEmpty()) {
        return msg(QCoreApplication::translate("peertun::Profile", "it is empty"));
    }
    for (const QChar c : name) {
        if (c.unicode() > 0x7f) {
            return msg(QCoreApplication::translate(
                           "peertun::Profile",
                           "it contains '%1', which is not ASCII; write an internationalized "
                           "name in its \"xn--\" form")
                           .arg(c));
        }
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                        (c >= u'0' && c <= u'9') || c == u'-' || c == u'.';
        if (!ok) {
            return msg(QCoreApplication::translate(
                           "peertun::Profile",
                           "it contains %1; a host name has only letters, digits, '-' and '.'")
                           .arg(c.isPrint() && !c.isSpace()
                                    ? u'\'' + QString(c) + u'\''
                                    : QStringLiteral("U+%1").arg(c.unicode(), 4, 16, QChar(u'0'))));
        }
    }
    if (name.size() > kMaxHostNameBytes) {
        return msg(QCoreApplication::translate("peertun::Profile",
                                               "it is %1 bytes long; at most %2 are allowed")
                       .arg(name.size())
                       .arg(kMaxHostNameBytes));
    }
    const QStringList labels = name.split(u'.');
    for (const QString& label : labels) {
        if (label.isEmpty()) {
            return msg(QCoreApplication::translate(
                "peertun::Profile", "it has an empty label (a '.' at the start or end, or two in "
                                    "a row)"));
        }
        if (label.size() > kMaxHostLabelBytes) {
            return msg(QCoreApplication::translate(
                           "peertun::Profile",
                           "the label %1 is %2 bytes long; a label has at most %3")
                           .arg(quoted(label))
                           .arg(label.size())
                           .arg(kMaxHostLabelBytes));
        }
        if (label.startsWith(u'-') || label.endsWith(u'-')) {
            return msg(QCoreApplication::translate(
                           "peertun::Profile", "the label %1 starts or ends with '-'")
                           .arg(quoted(label)));
        }
    }
    if (isAsciiDigits(labels.last())) {
        return msg(QCoreApplication::translate(
            "peertun::Profile", "its last label is a number, so it is neither a name nor an "
                                "IPv4 address"));
    }
    return {};
}

// Strict decimal 1..65535; reason fragment on failure.
std::optional<quint16> parsePort(QStringView text, QString* reason)
{
    if (text.isEmpty()) {
        *reason = QCoreApplication::translate("peertun::Profile", "the port is missing");
        return std::nullopt;
    }
    if (!isAsciiDigits(text)) {
        *reason = QCoreApplication::translate("peertun::Profile", "the port %1 is not a number")
                      .arg(quoted(text.toString()));
        return std::nullopt;
    }
    bool ok = false;
    const uint value = text.size() <= 9 ? text.toUInt(&ok) : 0;
    if (ok && value == 0) {
        *reason = QCoreApplication::translate(
            "peertun::Profile", "port 0 is not allowed; use 1 to 65535 (8285 is the usual)");
        return std::nullopt;
    }
    if (!ok || value > 65535) {
        *reason = QCoreApplication::translate("peertun::Profile",
                                              "the port %1 is out of range; use 1 to 65535")
                      .arg(text.size() <= 9 ? text.toString() : quoted(text.toString()));
        return std::nullopt;
    }
    return quint16(value);
}

// A non-empty description if `c` is invisible or changes the direction or shaping of the text
// around it: Unicode format characters (category Cf: bidirectional overrides and isolates,
// zero-width spaces and joiners, the byte order mark, tag characters, ...), line and paragraph
// separators, and the letters and marks that render as nothing (Hangul
// fillers, variation selectors, the combining grapheme joiner, the braille blank).
QString invisibleCharacterKind(uint c)
{
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
        c == 0x200f || c == 0x061c) {
        return QCoreApplication::translate("peertun::Profile",
                                           "a character that changes the text direction");
    }
    switch (QChar::category(c)) {
    case QChar::Other_Format:
        return QCoreApplication::translate("peertun::Profile", "an invisible formatting character");
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return QCoreApplication::translate("peertun::Profile", "a line or paragraph separator");
    default:
        break;
    }
    const bool blank = c == 0x034f || c == 0x115f || c == 0x1160 || c == 0x17b4 || c == 0x17b5 ||
                       (c >= 0x180b && c <= 0x180f) || c == 0x2800 || c == 0x3164 ||
                       (c >= 0xfe00 && c <= 0xfe0f) || c == 0xffa0 ||
                       (c >= 0xe0100 && c <= 0xe01ef);
    return blank ? QCoreApplication::translate("peertun::Profile", "an invisible character")
                 : QString();
}

// Shared rules for the names of profiles and peers (free text shown in the UI and logs).
QString checkDisplayName(const QString& name, const QString& what, bool isFileName)
{
    constexpr qsizetype kMaxNameChars = 64;
    if (name.isEmpty()) {
        return QCoreApplication::translate("peertun::Profile", "The %1 is empty; give it a name.")
            .arg(what);
    }
    const qsizetype chars = name.toUcs4().size();
    if (chars > kMaxNameChars) {
        return QCoreApplication::translate(
                   "peertun::Profile", "The %1 %2 is %3 characters long; at most %4 are allowed.")
            .arg(what, quoted(name))
            .arg(chars)
            .arg(kMaxNameChars);
    }
    for (const uint c : name.toUcs4()) {
        if (QChar::category(c) == QChar::Other_Control) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The %1 %2 contains a control character (U+%3), which is not "
                       "allowed.")
                .arg(what, quoted(name))
                .arg(uint(c), 4, 16, QChar(u'0'));
        }
        if (const QString kind = invisibleCharacterKind(c); !kind.isEmpty()) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The %1 %2 contains %3 (U+%4), which is not allowed: names are shown "
                       "in other users' logs and lists, where such a character hides or "
                       "reorders text. Remove it.")
                .arg(what, quoted(name), kind,
                     QStringLiteral("%1").arg(uint(c), 4, 16, QChar(u'0')).toUpper());
        }
    }
    if (isFileName && name.contains(u'/')) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "The %1 %2 contains '/', which is not allowed because the name "
                   "becomes a file name.")
            .arg(what, quoted(name));
    }
    if (isFileName && (name == u"." || name == u"..")) {
        return QCoreApplication::translate(
                   "peertun::Profile", "The %1 %2 is not allowed because it becomes a file name.")
            .arg(what, quoted(name));
    }
    return {};
}

// A non-empty reason if `a` cannot be a tunnel address or a peer's address.
QString unusableUnicastReason(const QHostAddress& a)
{
    if (a == QHostAddress(QHostAddress::AnyIPv4) || a == QHostAddress(QHostAddress::AnyIPv6)) {
        return QCoreApplication::translate("peertun::Profile", "the unspecified address");
    }
    if (a.isMulticast()) {
        return QCoreApplication::translate("peertun::Profile", "a multicast address");
    }
    if (a.isBroadcast()) {
        return QCoreApplication::translate("peertun::Profile", "the broadcast address");
    }
    return {};
}

struct ModeName
{
    TunnelMode mode;
    const char* name;
};
constexpr ModeName kModeNames[] = {
    {TunnelMode::Plain, "plain"},
    {TunnelMode::WireGuard, "wireguard"},
};

QStringList modeNames()
{
    QStringList names;
    for (const auto& m : kModeNames) {
        names << QString::fromLatin1(m.name);
    }
    return names;
}

// Collects errors up to kMaxProfileErrors, then notes that more were left out.
class ErrorSink
{
public:
    explicit ErrorSink(QList<ProfileError>& errors) : m_errors(errors) {}
    void add(const QString& field, const QString& message)
    {
        if (full()) {
            return;
        }
        if (m_errors.size() == kMaxProfileErrors - 1) {
            m_errors.append(
                {QString(), QCoreApplication::translate("peertun::Profile",
                                                        "There are more errors; only the first %1 "
                                                        "are reported.")
                                .arg(kMaxProfileErrors - 1)});
            return;
        }
        m_errors.append({field, message});
    }
    bool full() const { return m_errors.size() >= kMaxProfileErrors; }

private:
    QList<ProfileError>& m_errors;
};

} // namespace

// --- value types ---------------------------------------------------------------------------

QString Cidr::toString() const
{
    if (!isIp(address)) {
        return {};
    }
    return address.toString() + u'/' + QString::number(prefixLength);
}

Cidr Cidr::network() const
{
    if (!prefixInRange(*this)) {
        return *this;
    }
    AddressBytes b = bytesOf(address);
    const int total = addressBits(address);
    for (int bit = prefixLength; bit < total; ++bit) {
        b[size_t(bit / 8)] &= quint8(~(0x80 >> (bit % 8)));
    }
    return {addressFromBytes(b, address.protocol()), prefixLength};
}

bool Cidr::contains(const QHostAddress& a) const
{
    if (!prefixInRange(*this) || a.protocol() != address.protocol()) {
        return false;
    }
    return samePrefix(bytesOf(address), bytesOf(a), prefixLength);
}

bool Cidr::overlaps(const Cidr& other) const
{
    if (!prefixInRange(*this) || !prefixInRange(other) ||
        other.address.protocol() != address.protocol()) {
        return false;
    }
    return samePrefix(bytesOf(address), bytesOf(other.address),
                      std::min(prefixLength, other.prefixLength));
}

QString Endpoint::toString() const
{
    const QString port = QString::number(this->port);
    if (!hostName.isEmpty()) {
        return hostName + u':' + port;
    }
    if (host.isNull()) {
        return u':' + port;
    }
    if (host.protocol() == QAbstractSocket::IPv6Protocol) {
        return u'[' + host.toString() + QStringLiteral("]:") + port;
    }
    return host.toString() + u':' + port;
}

QString ProfileParseResult::errorText() const
{
    QStringList parts;
    for (const ProfileError& e : errors) {
        parts << (e.field.isEmpty() ? e.message : e.field + QStringLiteral(": ") + e.message);
    }
    return parts.join(QStringLiteral("; "));
}

QString modeToString(TunnelMode mode)
{
    for (const auto& m : kModeNames) {
        if (m.mode == mode) {
            return QString::fromLatin1(m.name);
        }
    }
    return {};
}

std::optional<TunnelMode> modeFromString(const QString& s)
{
    for (const auto& m : kModeNames) {
        if (s == QLatin1String(m.name)) {
            return m.mode;
        }
    }
    return std::nullopt;
}

// --- field parsers -------------------------------------------------------------------------

std::optional<Cidr> parseCidr(const QString& text, QString* error, bool requireNetwork)
{
    QString reason;
    auto fail = [&](const QString& sentence) -> std::optional<Cidr> {
        if (error) {
            *error = sentence;
        }
        return std::nullopt;
    };
    if (text.isEmpty()) {
        return fail(QCoreApplication::translate(
            "peertun::Profile", "The address is empty; write it as address/prefix, e.g. "
                                "10.244.2.2/24."));
    }
    const qsizetype slash = text.indexOf(u'/');
    if (slash < 0) {
        return fail(
            QCoreApplication::translate("peertun::Profile",
                                        "%1 has no prefix length; write it as address/prefix, e.g. "
                                        "10.244.2.2/24.")
                .arg(quoted(text)));
    }
    const auto address = parseIpLiteral(text.left(slash), &reason);
    if (!address) {
        return fail(
            QCoreApplication::translate("peertun::Profile", "%1 is not a valid address/prefix: %2.")
                .arg(quoted(text), reason));
    }
    const QStringView prefixText = QStringView(text).mid(slash + 1);
    const int maxPrefix = addressBits(*address);
    if (!isAsciiDigits(prefixText)) {
        return fail(
            QCoreApplication::translate("peertun::Profile",
                                        "%1 is not a valid address/prefix: the prefix length %2 is "
                                        "not a number.")
                .arg(quoted(text), quoted(prefixText.toString())));
    }
    const int prefix = prefixText.size() <= 3 ? prefixText.toInt() : maxPrefix + 1;
    if (prefix > maxPrefix) {
        return fail(
            QCoreApplication::translate(
                "peertun::Profile", "%1 is not a valid address/prefix: the prefix length %2 is out "
                                    "of range for %3 (0 to %4).")
                .arg(quoted(text),
                     prefixText.size() <= 3 ? prefixText.toString() : quoted(prefixText.toString()),
                     familyName(*address))
                .arg(maxPrefix));
    }
    Cidr cidr{*address, prefix};
    if (requireNetwork && cidr.network() != cidr) {
        return fail(QCoreApplication::translate("peertun::Profile",
                                                "%1 has host bits set; the subnet is written %2.")
                        .arg(quoted(text), cidr.network().toString()));
    }
    return cidr;
}

std::optional<Endpoint> parseEndpoint(const QString& text, QString* error, bool hostOptional)
{
    const QString example =
        hostOptional
            ? QCoreApplication::translate("peertun::Profile", "10.211.55.122:8285 or :8285")
            : QCoreApplication::translate("peertun::Profile",
                                          "10.211.55.123:8285 or vpn.example.net:51820");
    auto fail = [&](const QString& reason) -> std::optional<Endpoint> {
        if (error) {
            *error = QCoreApplication::translate(
                         "peertun::Profile",
                         "%1 is not a valid endpoint: %2; write it as host:port, e.g. "
                         "%3, or [fd00::1]:8285 for IPv6.")
                         .arg(quoted(text), reason, example);
        }
        return std::nullopt;
    };
    if (text.isEmpty()) {
        return fail(QCoreApplication::translate("peertun::Profile", "it is empty"));
    }

    QString hostText;
    QStringView portText;
    bool hasPort = true;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0) {
            return fail(
                QCoreApplication::translate("peertun::Profile", "the '[' has no matching ']'"));
        }
        hostText = text.mid(1, close - 1);
        if (close + 1 == text.size()) {
            hasPort = false;
        } else if (text[close + 1] != u':') {
            return fail(QCoreApplication::translate("peertun::Profile",
                                                    "']' must be followed by ':' and the port"));
        } else {
            portText = QStringView(text).mid(close + 2);
        }
        if (!hostText.contains(u':')) {
            return fail(QCoreApplication::translate("peertun::Profile",
                                                    "brackets are only for IPv6 addresses"));
        }
    } else if (text.count(u':') > 1) {
        return fail(
            QCoreApplication::translate("peertun::Profile", "an IPv6 address must be in brackets"));
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0) {
            hostText = text;
            hasPort = false;
        } else {
            hostText = text.left(colon);
            portText = QStringView(text).mid(colon + 1);
        }
    }
    if (!hasPort) {
        return fail(QCoreApplication::translate("peertun::Profile",
                                                "the port is missing (8285 is the usual)"));
    }

    Endpoint endpoint;
    QString reason;
    if (hostText.isEmpty()) {
        if (!hostOptional) {
            return fail(QCoreApplication::translate(
                "peertun::Profile", "the host is missing; a peer needs its address"));
        }
    } else if (looksLikeHostName(hostText)) {
        if (hostOptional) {
            return fail(QCoreApplication::translate(
                            "peertun::Profile",
                            "%1 is a host name, but a listen address must be an IP address of "
                            "this host (or left out for all addresses)")
                            .arg(quoted(hostText)));
        }
        if (const QString why = hostNameProblem(hostText); !why.isEmpty()) {
            return fail(QCoreApplication::translate("peertun::Profile",
                                                    "the host name %1 is not valid: %2")
                            .arg(quoted(hostText), why));
        }
        endpoint.hostName = hostText.toLower(); // DNS names are case-insensitive
    } else {
        const auto host = parseIpLiteral(hostText, &reason);
        if (!host) {
            return fail(reason);
        }
        // "0.0.0.0:8285" is a fine place to listen, but never a peer's address.
        const bool unspecified = *host == QHostAddress(QHostAddress::AnyIPv4) ||
                                 *host == QHostAddress(QHostAddress::AnyIPv6);
        if (const QString why = unusableUnicastReason(*host);
            !why.isEmpty() && !(hostOptional && unspecified)) {
            return fail(
                QCoreApplication::translate("peertun::Profile", "%1 is %2").arg(hostText, why));
        }
        endpoint.host = *host;
    }
    const auto port = parsePort(portText, &reason);
    if (!port) {
        return fail(reason);
    }
    endpoint.port = *port;
    return endpoint;
}

QString checkDnsDomain(const QString& domain)
{
    constexpr qsizetype kMaxLabel = 63;
    constexpr qsizetype kMaxName = 253;
    QString name = domain;
    if (name.startsWith(u'~')) {
        name.remove(0, 1);
        if (name == u".") { // routing-only root: every name
            return {};
        }
    }
    if (name.endsWith(u'.')) {
        name.chop(1);
    }
    if (name.isEmpty()) {
        return QCoreApplication::translate("peertun::Profile",
                                           "The DNS domain %1 is empty; give a domain such as "
                                           "corp.example.")
            .arg(quoted(domain));
    }
    if (name.size() > kMaxName) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "The DNS domain %1 is %2 characters long; at most %3 are allowed.")
            .arg(quoted(domain))
            .arg(name.size())
            .arg(kMaxName);
    }
    const QStringList labels = name.split(u'.');
    if (isAsciiDigits(labels.last())) { // RFC 1123 2.1: a top-level label is never numeric
        return QCoreApplication::translate("peertun::Profile",
                                           "The DNS domain %1 ends in a number; if it is meant "
                                           "as an IP address, it is not a valid one.")
            .arg(quoted(domain));
    }
    for (const QString& label : labels) {
        if (label.isEmpty()) {
            return QCoreApplication::translate("peertun::Profile",
                                               "The DNS domain %1 has an empty label (two dots "
                                               "in a row or a leading dot).")
                .arg(quoted(domain));
        }
        if (label.size() > kMaxLabel) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The DNS domain %1 has a label of %2 characters; at most %3 are allowed.")
                .arg(quoted(domain))
                .arg(label.size())
                .arg(kMaxLabel);
        }
        const bool ok = std::all_of(label.begin(), label.end(), [](QChar c) {
            return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                   (c >= u'0' && c <= u'9') || c == u'-';
        });
        if (!ok) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The DNS domain %1 has characters other than letters, digits, '-' and "
                       "'.' (write internationalized names in their xn-- form).")
                .arg(quoted(domain));
        }
        if (label.startsWith(u'-') || label.endsWith(u'-')) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The DNS domain %1 has a label that starts or ends with '-'.")
                .arg(quoted(domain));
        }
    }
    return {};
}

std::optional<QHostAddress> parseDnsServer(const QString& text, QString* error)
{
    QString why;
    if (auto address = parseIpLiteral(text, &why)) {
        return address;
    }
    if (error) {
        *error = QCoreApplication::translate("peertun::Profile", "The DNS server is wrong: %1.")
                     .arg(why);
    }
    return std::nullopt;
}

DnsConfig parseDnsList(const QString& text, QStringList* errors)
{
    DnsConfig dns;
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    for (const QString& entry : text.split(separators, Qt::SkipEmptyParts)) {
        QString why;
        if (const auto address = parseIpLiteral(entry, &why)) {
            dns.servers << *address;
        } else if (checkDnsDomain(entry).isEmpty()) {
            dns.domains << entry;
        } else if (errors) {
            *errors << QCoreApplication::translate(
                           "peertun::Profile",
                           "The DNS entry %1 is neither an IP address nor a domain name.")
                           .arg(quoted(entry));
        }
    }
    return dns;
}

QString checkHostName(const QString& name)
{
    const QString why = hostNameProblem(name);
    return why.isEmpty() ? QString()
                         : QCoreApplication::translate("peertun::Profile",
                                                       "The host name %1 is not valid: %2.")
                               .arg(quoted(name), why);
}

QString checkInterfaceName(const QString& name)
{
    constexpr qsizetype kMaxInterfaceNameBytes = 15; // IFNAMSIZ - 1
    if (name.isEmpty()) {
        return QCoreApplication::translate(
            "peertun::Profile", "The interface name is empty; give a device name such as "
                                "peertun0.");
    }
    const qsizetype bytes = name.toUtf8().size();
    if (bytes > kMaxInterfaceNameBytes) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "The interface name %1 is %2 bytes long; Linux allows at most %3.")
            .arg(quoted(name))
            .arg(bytes)
            .arg(kMaxInterfaceNameBytes);
    }
    if (name == u"." || name == u"..") {
        return QCoreApplication::translate(
                   "peertun::Profile", "The interface name %1 is not allowed; \".\" and \"..\" are "
                                       "reserved.")
            .arg(quoted(name));
    }
    for (const QChar c : name) {
        if (c == u'/') {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The interface name %1 contains '/', which Linux does not "
                       "allow in device names.")
                .arg(quoted(name));
        }
        if (c.isSpace()) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The interface name %1 contains whitespace, which Linux does "
                       "not allow in device names.")
                .arg(quoted(name));
        }
        if (c == u':') {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The interface name %1 contains ':', which Linux reserves for "
                       "address labels.")
                .arg(quoted(name));
        }
        // '%' would make the kernel pick the name itself ("tun%d"); other characters are legal
        // for Linux but trouble for tools and logs, so keep to a safe set.
        const bool safe = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                          (c >= u'0' && c <= u'9') || c == u'-' || c == u'_' || c == u'.';
        if (!safe) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The interface name %1 contains %2; use only ASCII letters, "
                       "digits, '-', '_' and '.'.")
                .arg(quoted(name),
                     c.isPrint() ? u'\'' + QString(c) + u'\''
                                 : QStringLiteral("U+%1").arg(c.unicode(), 4, 16, QChar(u'0')));
        }
    }
    return {};
}

QString checkProfileName(const QString& name)
{
    return checkDisplayName(name, QCoreApplication::translate("peertun::Profile", "profile name"),
                            true);
}

QString checkPeerName(const QString& name)
{
    return checkDisplayName(name, QCoreApplication::translate("peertun::Profile", "peer name"),
                            false);
}

QString checkWireGuardKey(const QString& text, const QString& field, bool secret)
{
    // The messages describe the text (length, kind of problem), never quote it: a private key
    // pasted into the wrong field must not end up in a log.
    const QString how = secret ? QStringLiteral("`wg genkey`") : QStringLiteral("`wg pubkey`");
    if (text.isEmpty()) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 is empty; give the key as 44 characters of base64, as %2 "
                   "writes it.")
            .arg(field, how);
    }
    // The rules are lib/keys' (the engine decodes with the same code); the words are ours.
    QByteArray latin1 = text.toLatin1();
    const keys::KeyTextCheck check =
        keys::checkKeyText(std::string_view(latin1.constData(), size_t(latin1.size())), secret);
    latin1.fill('\0'); // best effort: do not leave copies of a secret in freed memory
    QString problem;
    switch (check.problem) {
    case keys::KeyTextProblem::None:
        break;
    case keys::KeyTextProblem::Empty: // a non-empty QString of characters Latin-1 lacks
    case keys::KeyTextProblem::WrongLength:
        problem = QCoreApplication::translate(
                      "peertun::Profile",
                      "%1 is not a WireGuard key: it must be 44 characters of base64, as "
                      "%2 writes it, but it has %3.")
                      .arg(field, how)
                      .arg(text.size());
        break;
    case keys::KeyTextProblem::NotBase64:
        problem = QCoreApplication::translate(
                      "peertun::Profile",
                      "%1 is not a WireGuard key: it contains a character that is not "
                      "base64 (only A-Z, a-z, 0-9, '+', '/' and '=' padding).")
                      .arg(field);
        break;
    case keys::KeyTextProblem::NotPadded:
        problem =
            QCoreApplication::translate(
                "peertun::Profile", "%1 is not a WireGuard key: it is not base64 for 32 bytes (43 "
                                    "characters and one '=').")
                .arg(field);
        break;
    case keys::KeyTextProblem::NotCanonical:
        problem = QCoreApplication::translate(
                      "peertun::Profile",
                      "%1 is not a WireGuard key: its base64 is not canonical (the last "
                      "character before '=' has spare bits set).")
                      .arg(field);
        break;
    case keys::KeyTextProblem::AllZero:
        problem = QCoreApplication::translate("peertun::Profile",
                                              "%1 is all zeros, which is not a usable key.")
                      .arg(field);
        break;
    }
    return problem;
}

// --- validation ----------------------------------------------------------------------------

namespace {

// The checks a parsed Cidr must still pass (the editor may build one by hand).
QString cidrProblem(const Cidr& c, bool requireNetwork)
{
    if (!isIp(c.address)) {
        return QCoreApplication::translate(
            "peertun::Profile", "The address is missing or not an IPv4 or IPv6 address.");
    }
    if (!c.address.scopeId().isEmpty()) {
        return QCoreApplication::translate("peertun::Profile",
                                           "%1 has a scope ID, which is not supported.")
            .arg(quoted(c.address.toString()));
    }
    if (isV4Mapped(c.address)) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 is an IPv4-mapped IPv6 address; write the IPv4 address itself.")
            .arg(quoted(c.address.toString()));
    }
    if (!prefixInRange(c)) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "The prefix length %1 of %2 is out of range for %3 (0 to %4).")
            .arg(c.prefixLength)
            .arg(c.address.toString(), familyName(c.address))
            .arg(addressBits(c.address));
    }
    if (requireNetwork && c.network() != c) {
        return QCoreApplication::translate("peertun::Profile",
                                           "%1 has host bits set; the subnet is written %2.")
            .arg(quoted(c.toString()), c.network().toString());
    }
    return {};
}

// `mesh`: the subnet lease decides the address, so the profile must not give one.
void validateInterface(const InterfaceConfig& itf, TunnelMode mode, ErrorSink& sink, bool mesh)
{
    if (const QString why = checkInterfaceName(itf.name); !why.isEmpty()) {
        sink.add(QStringLiteral("interface.name"), why);
    }

    const QString addressField = QStringLiteral("interface.address");
    const QString problem = cidrProblem(itf.address, false);
    if (mesh) {
        if (!itf.address.address.isNull() || itf.address.prefixLength != 0) {
            sink.add(addressField,
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "A mesh profile gets its tunnel address from its subnet lease in etcd; "
                         "leave interface.address out."));
        }
        // The lease tells the others the port: a random one would change with every start.
        if (itf.listen.port == 0) {
            sink.add(QStringLiteral("interface.listen"),
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "A mesh profile needs a fixed listen port, which its lease tells the "
                         "other hosts; give interface.listen, e.g. \":51820\"."));
        }
    } else if (!problem.isEmpty()) {
        sink.add(addressField, problem);
    } else if (const QString why = unusableUnicastReason(itf.address.address); !why.isEmpty()) {
        sink.add(addressField, QCoreApplication::translate(
                                   "peertun::Profile", "%1 cannot be a tunnel address: it is %2.")
                                   .arg(quoted(itf.address.toString()), why));
    } else if (itf.address.address.isLoopback()) {
        sink.add(addressField,
                 QCoreApplication::translate("peertun::Profile",
                                             "%1 cannot be a tunnel address: it is a loopback "
                                             "address.")
                     .arg(quoted(itf.address.toString())));
    }

    if (itf.mtu) {
        // IPv6 needs 1280 on every link (RFC 8200); 576 is the smallest IPv4 datagram every
        // host must accept. Unknown family (bad address): judge by the IPv4 rule only.
        const bool v6 = itf.address.isIPv6();
        const int minimum = v6 ? 1280 : 576;
        if (*itf.mtu < minimum || *itf.mtu > 65535) {
            sink.add(QStringLiteral("interface.mtu"),
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "The MTU %1 is out of range; use %2 to 65535 for an %3 tunnel "
                         "address, or leave \"mtu\" out to pick it automatically.")
                         .arg(*itf.mtu)
                         .arg(minimum)
                         .arg(v6 ? QStringLiteral("IPv6") : QStringLiteral("IPv4")));
        }
    }

    const QString listenField = QStringLiteral("interface.listen");
    // WireGuard: port 0 on any address is "a random free port" ("listen" left out), as `wg`.
    const bool randomPort = mode == TunnelMode::WireGuard && itf.listen.host.isNull();
    if (itf.listen.hasHostName()) {
        sink.add(listenField, QCoreApplication::translate(
                                  "peertun::Profile",
                                  "%1 is a host name; interface.listen needs an IP address of "
                                  "this host, or \":%2\" for all addresses.")
                                  .arg(quoted(itf.listen.hostName))
                                  .arg(itf.listen.port));
    }
    if (itf.listen.port == 0 && !randomPort) {
        sink.add(listenField,
                 QCoreApplication::translate("peertun::Profile",
                                             "Port 0 in %1 is not allowed; use 1 to 65535 (8285 "
                                             "is the usual).")
                     .arg(quoted(itf.listen.toString())));
    }
    if (!itf.listen.host.isNull() &&
        (!isIp(itf.listen.host) || itf.listen.host.isMulticast() || itf.listen.host.isBroadcast() ||
         isV4Mapped(itf.listen.host) || !itf.listen.host.scopeId().isEmpty())) {
        sink.add(listenField, QCoreApplication::translate(
                                  "peertun::Profile",
                                  "%1 cannot be listened on; give a local unicast address, or "
                                  "\":%2\" for all addresses.")
                                  .arg(quoted(itf.listen.toString()))
                                  .arg(itf.listen.port));
    }
}

void validateDns(const DnsConfig& dns, ErrorSink& sink)
{
    const QString serversField = QStringLiteral("interface.dns.servers");
    const QString domainsField = QStringLiteral("interface.dns.domains");
    if (dns.servers.size() > kMaxDnsServers) {
        sink.add(serversField,
                 QCoreApplication::translate(
                     "peertun::Profile", "interface.dns lists %1 servers; at most %2 are allowed.")
                     .arg(dns.servers.size())
                     .arg(kMaxDnsServers));
    }
    if (dns.domains.size() > kMaxDnsDomains) {
        sink.add(domainsField,
                 QCoreApplication::translate(
                     "peertun::Profile", "interface.dns lists %1 domains; at most %2 are allowed.")
                     .arg(dns.domains.size())
                     .arg(kMaxDnsDomains));
    }
    for (qsizetype i = 0; i < dns.servers.size() && i < kMaxDnsServers; ++i) {
        const QHostAddress& a = dns.servers[i];
        const QString field = indexPath(serversField, i);
        if (!isIp(a) || !a.scopeId().isEmpty() || isV4Mapped(a)) {
            sink.add(field, QCoreApplication::translate(
                                "peertun::Profile",
                                "The DNS server %1 is not a plain IPv4 or IPv6 address.")
                                .arg(quoted(a.toString())));
        } else if (const QString why = unusableUnicastReason(a); !why.isEmpty()) {
            sink.add(field, QCoreApplication::translate("peertun::Profile",
                                                        "The DNS server %1 is %2, not a server's "
                                                        "address.")
                                .arg(quoted(a.toString()), why));
        } else if (dns.servers.indexOf(a) < i) {
            sink.add(field, QCoreApplication::translate("peertun::Profile",
                                                        "The DNS server %1 is listed twice.")
                                .arg(a.toString()));
        }
    }
    for (qsizetype i = 0; i < dns.domains.size() && i < kMaxDnsDomains; ++i) {
        const QString field = indexPath(domainsField, i);
        if (const QString why = checkDnsDomain(dns.domains[i]); !why.isEmpty()) {
            sink.add(field, why);
        } else if (dns.domains.indexOf(dns.domains[i]) < i) {
            sink.add(field, QCoreApplication::translate("peertun::Profile",
                                                        "The DNS domain %1 is listed twice.")
                                .arg(quoted(dns.domains[i])));
        }
    }
    if (dns.servers.isEmpty() && !dns.domains.isEmpty()) {
        sink.add(serversField,
                 QCoreApplication::translate("peertun::Profile",
                                             "interface.dns has domains but no server to ask "
                                             "for them; add the tunnel's DNS server."));
    }
}

// A kill switch on a host that only waits for peers to call is a host cut off from everything
// until someone does: almost surely a server profile with the switch left on by mistake.
void validateKillSwitch(const Profile& p, ErrorSink& sink)
{
    if (!p.interface.killSwitch || p.peers.isEmpty()) {
        return;
    }
    const bool anyEndpoint =
        std::any_of(p.peers.begin(), p.peers.end(), [](const PeerConfig& peer) {
            // A host-name endpoint (a provider's "vpn.example.net:51820") counts.
            return !peer.endpoint.host.isNull() || peer.endpoint.hasHostName();
        });
    if (!anyEndpoint) {
        sink.add(QStringLiteral("interface.killSwitch"),
                 QCoreApplication::translate(
                     "peertun::Profile",
                     "The kill switch is on but no peer has an endpoint: this host would only "
                     "wait for peers to call while all its other traffic is blocked. Give the "
                     "server's endpoint, or turn the kill switch off on a server."));
    }
}

struct PreparedSubnet
{
    AddressBytes bytes;
    int prefix;
    QAbstractSocket::NetworkLayerProtocol family;
    bool usable; // a valid subnet; invalid ones are reported on their own
};

// Keys belong to WireGuard mode: in plain mode they are an error (a profile that looks
// encrypted but is not would be worse than one that is rejected); in WireGuard mode the
// private key and every peer's public key are required.
void validateWireGuard(const Profile& p, ErrorSink& sink)
{
    const bool wg = p.mode == TunnelMode::WireGuard;
    const QString notPlain = QCoreApplication::translate(
        "peertun::Profile",
        "%1 is set, but the profile's mode is \"plain\", which is unencrypted and uses no keys; "
        "set \"mode\": \"wireguard\" or remove %1.");
    const QString privateField = QStringLiteral("interface.privateKey");
    if (!wg) {
        if (!p.interface.privateKey.isEmpty()) {
            sink.add(privateField, notPlain.arg(privateField));
        }
    } else if (const QString why = checkWireGuardKey(p.interface.privateKey, privateField, true);
               !why.isEmpty()) {
        sink.add(privateField, why);
    }
    for (qsizetype i = 0; i < p.peers.size() && !sink.full(); ++i) {
        const PeerConfig& peer = p.peers[i];
        const QString path = indexPath(QStringLiteral("peers"), i);
        const QString publicField = joinPath(path, QStringLiteral("publicKey"));
        const QString pskField = joinPath(path, QStringLiteral("presharedKey"));
        const QString keepaliveField = joinPath(path, QStringLiteral("persistentKeepalive"));
        if (!wg) {
            if (!peer.publicKey.isEmpty()) {
                sink.add(publicField, notPlain.arg(publicField));
            }
            if (!peer.presharedKey.isEmpty()) {
                sink.add(pskField, notPlain.arg(pskField));
            }
            if (peer.persistentKeepalive) {
                sink.add(keepaliveField, notPlain.arg(keepaliveField));
            }
            continue;
        }
        if (const QString why = checkWireGuardKey(peer.publicKey, publicField, false);
            !why.isEmpty()) {
            sink.add(publicField, why);
        } else {
            if (peer.publicKey == p.interface.privateKey) {
                sink.add(publicField,
                         QCoreApplication::translate("peertun::Profile",
                                                     "%1 is the same text as "
                                                     "interface.privateKey; the private key must "
                                                     "never be shared.")
                             .arg(publicField));
            }
            for (qsizetype k = 0; k < i; ++k) {
                if (p.peers[k].publicKey == peer.publicKey) {
                    sink.add(publicField, QCoreApplication::translate(
                                              "peertun::Profile",
                                              "peers[%1] and peers[%2] have the same public key; "
                                              "each peer needs its own.")
                                              .arg(k)
                                              .arg(i));
                    break;
                }
            }
        }
        if (!peer.presharedKey.isEmpty()) {
            if (const QString why = checkWireGuardKey(peer.presharedKey, pskField, true);
                !why.isEmpty()) {
                sink.add(pskField, why);
            }
        }
        if (peer.persistentKeepalive && (*peer.persistentKeepalive < 0 ||
                                         *peer.persistentKeepalive > kMaxPersistentKeepalive)) {
            sink.add(keepaliveField,
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "The persistent keepalive %1 is out of range; use 0 (off) to "
                         "65535 seconds (25 is usual behind NAT).")
                         .arg(*peer.persistentKeepalive));
        }
    }
}

QString peerLabel(const Profile& p, qsizetype k)
{
    return p.peers[k].name.isEmpty() ? indexPath(QStringLiteral("peers"), k)
                                     : quoted(p.peers[k].name);
}

// A peer's endpoint that a tunnel route would catch: the tunnel's own UDP datagrams to it would
// be routed into the tunnel device, come out again as a bigger datagram to the same address,
// and so on (a routing loop that spins both forwarding threads). Peers' default routes are the
// exception: a full tunnel's policy rules keep the tunnel's own packets out of it.
void validateNoRoutingLoop(const Profile& p, const QList<QList<PreparedSubnet>>& prepared,
                           ErrorSink& sink)
{
    const Cidr& own = p.interface.address;
    const bool ownValid = cidrProblem(own, false).isEmpty();
    for (qsizetype i = 0; i < p.peers.size() && !sink.full(); ++i) {
        const Endpoint& ep = p.peers[i].endpoint;
        if (!isIp(ep.host) || !unusableUnicastReason(ep.host).isEmpty()) {
            continue; // no address (learned, or reported as bad already)
        }
        const QString field =
            joinPath(indexPath(QStringLiteral("peers"), i), QStringLiteral("endpoint"));
        const QString who = peerLabel(p, i);
        const QString host = ep.host.toString();
        if (ownValid && own.network().contains(ep.host)) {
            sink.add(field, QCoreApplication::translate(
                                "peertun::Profile",
                                "Routing loop: the endpoint %1 of peer %2 lies inside the "
                                "tunnel's own network %3 (interface.address), so the tunnel's "
                                "own packets to it would be routed into the tunnel. Give the "
                                "peer's address on the network that carries the tunnel (reachable "
                                "without it) as its endpoint, or choose a tunnel network that "
                                "does not contain %4.")
                                .arg(quoted(ep.toString()), who, own.network().toString(), host));
            continue;
        }
        const AddressBytes bytes = bytesOf(ep.host);
        bool found = false;
        for (qsizetype k = 0; k < p.peers.size() && !found; ++k) {
            for (qsizetype m = 0; m < p.peers[k].subnets.size(); ++m) {
                const PreparedSubnet& sub = prepared[k][m];
                // Default routes are the full tunnel; /1 halves are refused on their own with
                // the way to write one.
                if (!sub.usable || sub.prefix <= 1 || sub.family != ep.host.protocol() ||
                    !samePrefix(bytes, sub.bytes, sub.prefix)) {
                    continue;
                }
                const QString subnet = p.peers[k].subnets[m].toString();
                sink.add(field,
                         QCoreApplication::translate(
                             "peertun::Profile",
                             "Routing loop: the endpoint %1 of peer %2 lies inside the subnet "
                             "%3 of peer %4, so the tunnel's own packets to it would be routed "
                             "into the tunnel. Give the peer's address on the network that "
                             "carries the tunnel (reachable without it) as its endpoint, or "
                             "leave %5 out of the subnets (split %3 around it).")
                             .arg(quoted(ep.toString()), who, subnet, peerLabel(p, k), host));
                found = true;
                break;
            }
        }
    }
}

void validatePeers(const Profile& p, ErrorSink& sink)
{
    if (p.mesh) {
        if (!p.peers.isEmpty()) {
            sink.add(QStringLiteral("peers"),
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "A profile has either \"peers\" or \"mesh\", not both: a mesh "
                         "profile gets its peers from etcd."));
        }
        return;
    }
    if (p.peers.isEmpty()) {
        sink.add(QStringLiteral("peers"),
                 QCoreApplication::translate("peertun::Profile",
                                             "The profile has no peers; add at least one."));
        return;
    }
    const Cidr& own = p.interface.address;
    const bool ownValid = cidrProblem(own, false).isEmpty();
    const QHostAddress& listenHost = p.interface.listen.host;
    const bool listenSpecific = isIp(listenHost) &&
                                listenHost != QHostAddress(QHostAddress::AnyIPv4) &&
                                listenHost != QHostAddress(QHostAddress::AnyIPv6);

    // The overlap check is quadratic in the number of subnets (a few thousand fit in 64 KiB),
    // so convert each address once rather than per comparison.
    QList<QList<PreparedSubnet>> prepared;
    for (const PeerConfig& peer : p.peers) {
        QList<PreparedSubnet>& list = prepared.emplace_back();
        for (const Cidr& s : peer.subnets) {
            list.append({bytesOf(s.address), s.prefixLength, s.address.protocol(),
                         cidrProblem(s, true).isEmpty()});
        }
    }

    for (qsizetype i = 0; i < p.peers.size() && !sink.full(); ++i) {
        const PeerConfig& peer = p.peers[i];
        const QString path = indexPath(QStringLiteral("peers"), i);
        const QString who = peer.name.isEmpty() ? path : quoted(peer.name);

        if (const QString why = checkPeerName(peer.name); !why.isEmpty()) {
            sink.add(joinPath(path, QStringLiteral("name")), why);
        }
        for (qsizetype k = 0; k < i && !peer.name.isEmpty(); ++k) {
            if (p.peers[k].name == peer.name) {
                sink.add(joinPath(path, QStringLiteral("name")),
                         QCoreApplication::translate(
                             "peertun::Profile",
                             "The peer name %1 is used twice (peers[%2] and peers[%3]); "
                             "peer names must be unique.")
                             .arg(quoted(peer.name))
                             .arg(k)
                             .arg(i));
                break;
            }
        }

        const QString endpointField = joinPath(path, QStringLiteral("endpoint"));
        const Endpoint& ep = peer.endpoint;
        const bool learned = p.mode == TunnelMode::WireGuard && ep.host.isNull() &&
                             !ep.hasHostName() && ep.port == 0;
        if (learned) {
            // no endpoint: WireGuard learns it from the peer's first handshake
        } else if (ep.hasHostName()) {
            // Resolved by the helper; its family is checked against the listen socket then.
            if (const QString why = checkHostName(ep.hostName); !why.isEmpty()) {
                sink.add(endpointField, why);
            } else if (!ep.host.isNull()) {
                sink.add(endpointField, QCoreApplication::translate(
                                            "peertun::Profile",
                                            "The endpoint of peer %1 has both a host name and "
                                            "an address; give one.")
                                            .arg(who));
            } else {
                for (qsizetype k = 0; k < i; ++k) {
                    if (p.peers[k].endpoint == ep) {
                        sink.add(endpointField,
                                 QCoreApplication::translate(
                                     "peertun::Profile",
                                     "Peers %1 and %2 have the same endpoint %3; incoming "
                                     "packets could not be told apart.")
                                     .arg(p.peers[k].name.isEmpty()
                                              ? indexPath(QStringLiteral("peers"), k)
                                              : quoted(p.peers[k].name),
                                          who, ep.toString()));
                        break;
                    }
                }
            }
        } else if (!isIp(ep.host)) {
            sink.add(endpointField, QCoreApplication::translate("peertun::Profile",
                                                                "Peer %1 has no endpoint address.")
                                        .arg(who));
        } else if (const QString why = unusableUnicastReason(ep.host); !why.isEmpty()) {
            sink.add(endpointField,
                     QCoreApplication::translate("peertun::Profile",
                                                 "The endpoint %1 of peer %2 is %3, not a peer's "
                                                 "address.")
                         .arg(quoted(ep.toString()), who, why));
        } else if (isV4Mapped(ep.host) || !ep.host.scopeId().isEmpty()) {
            sink.add(endpointField, QCoreApplication::translate(
                                        "peertun::Profile",
                                        "The endpoint %1 of peer %2 must be a plain IPv4 or IPv6 "
                                        "address without scope ID.")
                                        .arg(quoted(ep.toString()), who));
        } else if (listenSpecific && ep.host.protocol() != listenHost.protocol()) {
            sink.add(endpointField,
                     QCoreApplication::translate(
                         "peertun::Profile",
                         "The endpoint %1 of peer %2 is %3 but interface.listen binds "
                         "the %4 address %5; use the same family or listen on \":%6\".")
                         .arg(quoted(ep.toString()), who, familyName(ep.host),
                              familyName(listenHost), listenHost.toString())
                         .arg(p.interface.listen.port));
        } else {
            for (qsizetype k = 0; k < i; ++k) {
                if (p.peers[k].endpoint == ep) {
                    sink.add(endpointField,
                             QCoreApplication::translate(
                                 "peertun::Profile",
                                 "Peers %1 and %2 have the same endpoint %3; incoming "
                                 "packets could not be told apart.")
                                 .arg(p.peers[k].name.isEmpty()
                                          ? indexPath(QStringLiteral("peers"), k)
                                          : quoted(p.peers[k].name),
                                      who, ep.toString()));
                    break;
                }
            }
        }
        if (ep.port == 0 && !learned) {
            sink.add(endpointField,
                     QCoreApplication::translate("peertun::Profile",
                                                 "Port 0 in the endpoint of peer %1 is not "
                                                 "allowed; use 1 to 65535.")
                         .arg(who));
        }

        const QString subnetsField = joinPath(path, QStringLiteral("subnets"));
        if (peer.subnets.isEmpty()) {
            sink.add(subnetsField,
                     QCoreApplication::translate("peertun::Profile",
                                                 "Peer %1 has no subnets; list at least one, "
                                                 "e.g. 10.244.3.0/24.")
                         .arg(who));
        }
        for (qsizetype j = 0; j < peer.subnets.size() && !sink.full(); ++j) {
            const Cidr& s = peer.subnets[j];
            const QString field = indexPath(subnetsField, j);
            if (const QString problem = cidrProblem(s, true); !problem.isEmpty()) {
                sink.add(field, problem);
                continue;
            }
            if (ownValid && s.address.protocol() != own.address.protocol()) {
                sink.add(field, QCoreApplication::translate(
                                    "peertun::Profile",
                                    "The subnet %1 of peer %2 is %3, but the interface "
                                    "address %4 is %5; a peer's subnets must be of the "
                                    "same family as interface.address.")
                                    .arg(s.toString(), who, familyName(s.address), own.toString(),
                                         familyName(own.address)));
                continue;
            }
            // A default route (0.0.0.0/0, ::/0) is a full tunnel: the engine routes it with
            // policy rules. wg-quick's split halves are refused with the way to write it.
            const QString everything =
                s.isIPv6() ? QStringLiteral("::/0") : QStringLiteral("0.0.0.0/0");
            if (s.prefixLength == 1) {
                sink.add(field, QCoreApplication::translate(
                                    "peertun::Profile",
                                    "The subnet %1 of peer %2 is half of a split default route, "
                                    "which peertun does not support; to send all traffic "
                                    "through the tunnel write %3 instead of both halves.")
                                    .arg(s.toString(), who, everything));
                continue;
            }
            // The tunnel's whole network (or a wider one) behind a peer is the usual hub
            // config (wg-quick's "Address = 10.0.0.2/24, AllowedIPs = 10.0.0.0/24"): traffic
            // to our own address stays local anyway. A narrower slice that holds our own
            // address would say the peer owns it.
            if (ownValid && s.prefixLength > own.prefixLength && s.contains(own.address)) {
                sink.add(field,
                         QCoreApplication::translate(
                             "peertun::Profile",
                             "The subnet %1 of peer %2 contains this host's own tunnel address "
                             "%3 but not its whole network %5. List only the addresses behind "
                             "the peer (a subnet that leaves out %3), the whole network %5, or "
                             "%4 to send all traffic through the tunnel.")
                             .arg(s.toString(), who, own.address.toString(), everything,
                                  own.network().toString()));
                continue;
            }
            const PreparedSubnet& me = prepared[i][j];
            for (qsizetype m = 0; m < j; ++m) {
                const PreparedSubnet& earlier = prepared[i][m];
                if (earlier.prefix == me.prefix && earlier.family == me.family &&
                    earlier.bytes == me.bytes) {
                    sink.add(field,
                             QCoreApplication::translate(
                                 "peertun::Profile", "The subnet %1 is listed twice for peer %2.")
                                 .arg(s.toString(), who));
                    break;
                }
            }
            // Overlaps with earlier peers: the same address must not belong to two peers. A
            // full-tunnel peer's default route is the exception: it only gets what no more
            // specific subnet claims (longest prefix, as WireGuard's AllowedIPs do).
            for (qsizetype k = 0; k < i && !sink.full(); ++k) {
                const PeerConfig& other = p.peers[k];
                for (qsizetype m = 0; m < other.subnets.size(); ++m) {
                    const PreparedSubnet& them = prepared[k][m];
                    const Cidr& o = other.subnets[m];
                    const bool oneIsDefaultRoute = (me.prefix == 0) != (them.prefix == 0);
                    if (them.usable && them.family == me.family && !oneIsDefaultRoute &&
                        samePrefix(me.bytes, them.bytes, std::min(me.prefix, them.prefix))) {
                        sink.add(field, QCoreApplication::translate(
                                            "peertun::Profile",
                                            "The subnet %1 of peer %2 overlaps the subnet %3 "
                                            "of peer %4; each address must belong to one "
                                            "peer.")
                                            .arg(s.toString(), who, o.toString(),
                                                 other.name.isEmpty()
                                                     ? indexPath(QStringLiteral("peers"), k)
                                                     : quoted(other.name)));
                        break;
                    }
                }
            }
        }
    }
    validateNoRoutingLoop(p, prepared, sink);
}

} // namespace

bool isFullTunnel(const Profile& profile)
{
    return std::any_of(profile.peers.cbegin(), profile.peers.cend(), [](const PeerConfig& peer) {
        return std::any_of(peer.subnets.cbegin(), peer.subnets.cend(),
                           [](const Cidr& subnet) { return subnet.prefixLength == 0; });
    });
}

bool proposeKillSwitch(Profile* profile)
{
    if (profile->interface.killSwitch || !isFullTunnel(*profile)) {
        return false;
    }
    Profile guarded = *profile;
    guarded.interface.killSwitch = true;
    if (!validateProfile(guarded).isEmpty()) {
        return false;
    }
    *profile = std::move(guarded);
    return true;
}

QList<ProfileError> validateProfile(const Profile& profile)
{
    QList<ProfileError> errors;
    ErrorSink sink(errors);
    if (profile.version != kProfileSchemaVersion) {
        sink.add(QStringLiteral("version"),
                 QCoreApplication::translate(
                     "peertun::Profile",
                     "Schema version %1 is not supported; this peertun reads version "
                     "%2.")
                     .arg(profile.version)
                     .arg(kProfileSchemaVersion));
        return errors;
    }
    if (const QString why = checkProfileName(profile.name); !why.isEmpty()) {
        sink.add(QStringLiteral("name"), why);
    }
    validateInterface(profile.interface, profile.mode, sink, profile.mesh.has_value());
    validateDns(profile.interface.dns, sink);
    validateKillSwitch(profile, sink);
    if (modeToString(profile.mode).isEmpty()) {
        sink.add(QStringLiteral("mode"),
                 QCoreApplication::translate("peertun::Profile",
                                             "The mode %1 is unknown; supported modes: %2.")
                     .arg(int(profile.mode))
                     .arg(modeNames().join(QStringLiteral(", "))));
    }
    validatePeers(profile, sink);
    validateWireGuard(profile, sink);
    if (profile.mesh) {
        for (const ProfileError& e : validateMeshConfig(*profile.mesh)) {
            sink.add(e.field, e.message);
        }
    }
    return errors;
}

QString profile_detail::supportedModesText()
{
    return modeNames().join(QStringLiteral(", "));
}

void wipeSecrets(Profile& profile)
{
    const auto wipe = [](QString& s) {
        std::fill(s.begin(), s.end(), QChar(u'\0'));
        s.clear();
    };
    wipe(profile.interface.privateKey);
    for (PeerConfig& peer : profile.peers) {
        wipe(peer.presharedKey);
    }
}

} // namespace peertun
