// The seam between forwarding and the wire format. Plain mode puts the raw IP packet in the
// UDP payload (flannel's UDP backend format); an encrypted mode (WireGuard) implements the
// same two calls: it may grow the packet into the reserved head/tail room, identify the
// sending peer by its own means (a receiver index instead of the source address), and
// consume control messages (handshakes) itself.
#pragma once

#include "Counters.h"
#include "EndpointIndex.h"
#include "Net.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <sys/socket.h>
#include <vector>

namespace peertun::engine {

struct UdpSource; // Udp.h

class Encapsulation
{
public:
    virtual ~Encapsulation() = default;

    // Bytes the loops reserve before and after every inner packet.
    virtual size_t headroom() const = 0;
    virtual size_t tailroom() const = 0;
    // True if open() forwards only packets the peer sealed with an AEAD: corruption and forgery
    // are ruled out, so joined TCP segments need no checksum check of their own.
    virtual bool authenticates() const { return false; }
    // What sealing a packet of `len` bytes puts after it (at most tailroom()).
    virtual size_t tailroomFor(size_t /*len*/) const { return tailroom(); }

    enum class Verdict : uint8_t { Forward, Drop, Consumed };
    struct Result
    {
        Verdict verdict = Verdict::Forward;
        DropReason reason = DropReason::Count; // set with Drop
    };

    // Outbound: the inner packet for `peer` at [*data, *data + *len) becomes the UDP payload
    // (in place, moving *data back into the headroom if it prepends).
    virtual Result seal(uint32_t peer, uint8_t** data, size_t* len) = 0;
    // Inbound: a datagram from `from` becomes the inner packet of *peer.
    virtual Result open(const sockaddr* from, uint8_t** data, size_t* len, uint32_t* peer) = 0;

    // Several packets at once, each as seal()/open() would treat it, results in order: the
    // segments of one TUN read (one peer), or of one UDP read (one source). An encapsulation
    // may then take its locks once per batch and spread the crypto over threads. The defaults
    // go one by one.
    static constexpr size_t kMaxBatch = 128;
    virtual void sealBatch(uint32_t peer, uint8_t** data, size_t* len, size_t count,
                           Result* results)
    {
        for (size_t i = 0; i < count; ++i) {
            results[i] = seal(peer, &data[i], &len[i]);
        }
    }
    virtual void openBatch(const sockaddr* from, uint8_t** data, size_t* len, size_t count,
                           uint32_t* peers, Result* results)
    {
        for (size_t i = 0; i < count; ++i) {
            results[i] = open(from, &data[i], &len[i], &peers[i]);
        }
    }

    // Roaming and re-resolved host names: a counter that changes whenever a peer's endpoint
    // changes. The sending thread compares it once per batch and then re-reads peerEndpoint()
    // for every peer, so the per-packet path stays as it is.
    virtual const std::atomic<uint64_t>* endpointGeneration() const = 0;
    virtual UdpEndpoint peerEndpoint(uint32_t peer) const = 0;
    // A host name's new address (any thread but the forwarding ones; not per packet).
    virtual void setPeerEndpoint(uint32_t peer, const UdpEndpoint& endpoint) = 0;

    // The receiving thread, before opening each datagram of a socket on a wildcard address: the
    // local address it came to (null: not known). Answers it sends itself (handshake
    // responses) leave from there.
    virtual void arrivedAt(const UdpSource* /*local*/) {}

    // The receiving thread, once per batch: take endpoint changes published since the last.
    virtual void beginReceiveBatch() = 0;
    // Receiving thread: the peer whose endpoint is `sa` (ICMP errors name it), or kNoPeer.
    virtual uint32_t peerAtEndpoint(const sockaddr* sa) const = 0;
};

} // namespace peertun::engine
