<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>Format</name>
    <message>
        <source>%1/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>%n s ago</numerusform>
            <numerusform>%n s ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message>
        <source>connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>blocked</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TunnelText</name>
    <message>
        <source>Kill switch on: traffic outside the tunnel is blocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tunnel is down, and its kill switch still blocks all traffic; disconnect to lift it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNS: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNS: %1 (domains %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNS not applied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not known until the peer connects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (where the peer connected from)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → resolving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → resolving: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 → %2 (the last lookup failed: %3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: reconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: connected, ↓ %2 ↑ %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun: no tunnel is up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Coordination store unreachable since %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; the members stay as last known.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mesh: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n other member(s) reached as peers</source>
        <translation>
            <numerusform>%n other member reached as peers</numerusform>
            <numerusform>%n other members reached as peers</numerusform>
        </translation>
    </message>
    <message>
        <source>Another user connected this tunnel: only they and administrators see its peers, endpoints, counters and log (`peertunctl status --details` asks for authorization).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Point-to-point VPN tunnels over UDP.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start in the tray.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep profiles in DIR instead of the config folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start in the tray and connect the profiles marked &quot;Connect when I log in&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::CountersView</name>
    <message>
        <source>Current rates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Totals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped packets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent packets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received packets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last packet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer counters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no peer for the destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from an unknown endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>malformed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>source outside the peer&apos;s subnets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>too big</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>send errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>↓ %1   ↑ %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received %1 packets (%2), sent %3 packets (%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No packets dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped %1 packets (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Handshakes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Initiations sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last handshake</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plain mode: this tunnel is unencrypted; anyone on the path can read and forge its packets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WireGuard (encrypted). Handshakes: %1 done, %2 failed. Decryption failures: %3. Replays rejected: %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNS and kill switch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::HelperSession</name>
    <message>
        <source>The system message bus (D-Bus) cannot be reached, so peertun cannot talk to its helper. Check that dbus is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found tunnel %1 %2 in the helper.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the helper to connect %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the helper to disconnect %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization refused: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization was refused: you are not allowed to connect or disconnect tunnels (%1). Ask an administrator to allow the action io.peertun.control for you, e.g. by adding you to the group netdev with peertun&apos;s polkit rule.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peertun helper is not installed (nobody provides io.peertun.Helper1 on the system bus). Install peertun with its system files (sudo cmake --install build) and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peertun helper does not respond (%1). Check &quot;journalctl -u peertun-helper&quot;; peertun keeps trying.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The helper is running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peertun helper was restarted. The tunnels that went down with it (%1) stay down until you connect them again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The helper exited (idle).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the helper stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The helper stopped while tunnels were up: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peertun helper stopped unexpectedly; the tunnels %1 are down. peertun starts it again and reconnects to it; connect the tunnels again when it is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the helper to change the peers of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peers of %1 changed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::LogView</name>
    <message>
        <source>debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log level filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the newest line in view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cop&amp;y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the selected lines, or all shown lines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cl&amp;ear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>helper</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::LoginConnector</name>
    <message>
        <source>connecting at login</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::MainWindow</name>
    <message>
        <source>peertun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helper status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prof&amp;iles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New profile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect or disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>D&amp;uplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search the log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About peertun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About peertun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;peertun&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Point-to-point tunnels over UDP, managed by a privileged helper (%2).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>helper not running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>helper %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — cannot be used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no profile here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a profile with &quot;New profile&quot; (Ctrl+N) or import one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This file cannot be used: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun does not change it. Fix it in a text editor or remove it: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brought up outside this app; there is no profile for it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnect %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No system bus</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helper not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helper not responding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helper stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Authorization refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Helper restarted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel %1 is up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel %1 is down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel %1 is down: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>office</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles (*.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be imported: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profiles (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun is still running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun keeps running in the tray; quit from its menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect to apply changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import &amp;WireGuard config…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(unencrypted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WireGuard (encrypted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>plain mode, unencrypted</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Interface %1, address %2, listening on %3, %n peer(s); %4</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>The tunnel %1 still runs with its old settings. Reconnect it to use the saved ones (traffic stops for a moment).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tunnel %1 still runs with its old settings. Reconnect to bring it up as %2 with the saved ones (traffic stops for a moment).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import WireGuard config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WireGuard configs (*.conf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be imported:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also not supported:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported %1 as the profile %2. Not carried over:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect n&amp;ow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open it in the profile editor to fix it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the profile %1? Its tunnel %2 is up and stays up: it stays in the list as a tunnel without a profile until you disconnect it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the profile %1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported %1 as the profile %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>It sends all traffic through the tunnel, so its kill switch is on: nothing leaves this computer outside the tunnel while it is connected. Turn it off in the editor (Ctrl+E) if you do not want that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The new peers of %1 were applied without a reconnect.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tunnel %1 did not take the new peers: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from its lease</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interface %1, address %2, listening on %3; a mesh through etcd (%4, prefix %5); %6</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::Profile</name>
    <message>
        <source>the address is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 contains whitespace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has a scope ID, which is not supported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid IPv6 address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is an IPv4-mapped IPv6 address; write the IPv4 address itself</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid IPv4 address (four numbers 0 to 255, like 10.244.2.2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an IPv4 or IPv6 address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the port is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the port %1 is not a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>port 0 is not allowed; use 1 to 65535 (8285 is the usual)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the port %1 is out of range; use 1 to 65535</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 is empty; give it a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 %2 is %3 characters long; at most %4 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 %2 contains a control character (U+%3), which is not allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 %2 contains &apos;/&apos;, which is not allowed because the name becomes a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 %2 is not allowed because it becomes a file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the unspecified address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a multicast address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the broadcast address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There are more errors; only the first %1 are reported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address is empty; write it as address/prefix, e.g. 10.244.2.2/24.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has no prefix length; write it as address/prefix, e.g. 10.244.2.2/24.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: the prefix length %2 is not a number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: the prefix length %2 is out of range for %3 (0 to %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has host bits set; the subnet is written %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10.211.55.122:8285 or :8285</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid endpoint: %2; write it as host:port, e.g. %3, or [fd00::1]:8285 for IPv6.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the &apos;[&apos; has no matching &apos;]&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;]&apos; must be followed by &apos;:&apos; and the port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>brackets are only for IPv6 addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an IPv6 address must be in brackets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the port is missing (8285 is the usual)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host is missing; a peer needs its address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name is empty; give a device name such as peertun0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 is %2 bytes long; Linux allows at most %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 is not allowed; &quot;.&quot; and &quot;..&quot; are reserved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 contains &apos;/&apos;, which Linux does not allow in device names.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 contains whitespace, which Linux does not allow in device names.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 contains &apos;:&apos;, which Linux reserves for address labels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The interface name %1 contains %2; use only ASCII letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>profile name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is empty; give the key as 44 characters of base64, as %2 writes it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it must be 44 characters of base64, as %2 writes it, but it has %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it contains a character that is not base64 (only A-Z, a-z, 0-9, &apos;+&apos;, &apos;/&apos; and &apos;=&apos; padding).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it is not base64 for 32 bytes (43 characters and one &apos;=&apos;).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: its base64 is not canonical (the last character before &apos;=&apos; has spare bits set).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is all zeros, which is not a usable key.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The address is missing or not an IPv4 or IPv6 address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has a scope ID, which is not supported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is an IPv4-mapped IPv6 address; write the IPv4 address itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The prefix length %1 of %2 is out of range for %3 (0 to %4).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be a tunnel address: it is %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be a tunnel address: it is a loopback address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The MTU %1 is out of range; use %2 to 65535 for an %3 tunnel address, or leave &quot;mtu&quot; out to pick it automatically.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port 0 in %1 is not allowed; use 1 to 65535 (8285 is the usual).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be listened on; give a local unicast address, or &quot;:%2&quot; for all addresses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is set, but the profile&apos;s mode is &quot;plain&quot;, which is unencrypted and uses no keys; set &quot;mode&quot;: &quot;wireguard&quot; or remove %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is the same text as interface.privateKey; the private key must never be shared.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peers[%1] and peers[%2] have the same public key; each peer needs its own.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The persistent keepalive %1 is out of range; use 0 (off) to 65535 seconds (25 is usual behind NAT).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile has no peers; add at least one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The peer name %1 is used twice (peers[%2] and peers[%3]); peer names must be unique.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer %1 has no endpoint address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 is %3, not a peer&apos;s address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 must be a plain IPv4 or IPv6 address without scope ID.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 is %3 but interface.listen binds the %4 address %5; use the same family or listen on &quot;:%6&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers %1 and %2 have the same endpoint %3; incoming packets could not be told apart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port 0 in the endpoint of peer %1 is not allowed; use 1 to 65535.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer %1 has no subnets; list at least one, e.g. 10.244.3.0/24.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 is %3, but the interface address %4 is %5; a peer&apos;s subnets must be of the same family as interface.address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The subnet %1 is listed twice for peer %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 overlaps the subnet %3 of peer %4; each address must belong to one peer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schema version %1 is not supported; this peertun reads version %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mode %1 is unknown; supported modes: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the number %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the string %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an array</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 is unknown in %2; allowed keys are: %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The key %1 is missing from %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a string</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The value %1 of %2 is far out of range.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be %2, but it is %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile is %1 bytes long; at most %2 bytes (64 KiB) are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile is empty.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile is not valid JSON: %1 at line %2, column %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The profile must be a JSON object ({ ... }).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is not a valid device name; the device is called wg0.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>line %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown section %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected &quot;Key = Value&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A key outside [Interface] or [Peer].</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ListenPort must be 1-65535, not &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MTU must be a number, not &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2) is not supported by peertun and was not imported.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint %1 of %2 was not imported (%3); the peer&apos;s address will be learned when it connects.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AllowedIPs %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PersistentKeepalive must be seconds or &quot;off&quot;, not &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address %1 was not imported: a peertun profile has one tunnel address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AllowedIPs %1 of %2 was not imported: the tunnel address is of the other IP family.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 is half of a split default route, which peertun does not support; to send all traffic through the tunnel write %3 instead of both halves.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 contains this host&apos;s own tunnel address %3 but not its whole network %5. List only the addresses behind the peer (a subnet that leaves out %3), the whole network %5, or %4 to send all traffic through the tunnel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a character that changes the text direction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an invisible formatting character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a line or paragraph separator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>an invisible character</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The %1 %2 contains %3 (U+%4), which is not allowed: names are shown in other users&apos; logs and lists, where such a character hides or reorders text. Remove it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Routing loop: the endpoint %1 of peer %2 lies inside the tunnel&apos;s own network %3 (interface.address), so the tunnel&apos;s own packets to it would be routed into the tunnel. Give the peer&apos;s address on the network that carries the tunnel (reachable without it) as its endpoint, or choose a tunnel network that does not contain %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it contains &apos;%1&apos;, which is not ASCII; write an internationalized name in its &quot;xn--&quot; form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it contains %1; a host name has only letters, digits, &apos;-&apos; and &apos;.&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it is %1 bytes long; at most %2 are allowed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>it has an empty label (a &apos;.&apos; at the start or end, or two in a row)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the label %1 is %2 bytes long; a label has at most %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the label %1 starts or ends with &apos;-&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>its last label is a number, so it is neither a name nor an IPv4 address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10.211.55.123:8285 or vpn.example.net:51820</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a host name, but a listen address must be an IP address of this host (or left out for all addresses)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the host name %1 is not valid: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The host name %1 is not valid: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a host name; interface.listen needs an IP address of this host, or &quot;:%2&quot; for all addresses.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The endpoint of peer %1 has both a host name and an address; give one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ListenPort: the tunnel listens on a random free UDP port, as wg-quick does.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 is empty; give a domain such as corp.example.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 is %2 characters long; at most %3 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 ends in a number; if it is meant as an IP address, it is not a valid one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 has an empty label (two dots in a row or a leading dot).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 has a label of %2 characters; at most %3 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 has characters other than letters, digits, &apos;-&apos; and &apos;.&apos; (write internationalized names in their xn-- form).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 has a label that starts or ends with &apos;-&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS server is wrong: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS entry %1 is neither an IP address nor a domain name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interface.dns lists %1 servers; at most %2 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interface.dns lists %1 domains; at most %2 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS server %1 is not a plain IPv4 or IPv6 address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS server %1 is %2, not a server&apos;s address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS server %1 is listed twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The DNS domain %1 is listed twice.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interface.dns has domains but no server to ask for them; add the tunnel&apos;s DNS server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The kill switch is on but no peer has an endpoint: this host would only wait for peers to call while all its other traffic is blocked. Give the server&apos;s endpoint, or turn the kill switch off on a server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Routing loop: the endpoint %1 of peer %2 lies inside the subnet %3 of peer %4, so the tunnel&apos;s own packets to it would be routed into the tunnel. Give the peer&apos;s address on the network that carries the tunnel (reachable without it) as its endpoint, or leave %5 out of the subnets (split %3 around it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>true or false</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mesh profile gets its tunnel address from its subnet lease in etcd; leave interface.address out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mesh profile needs a fixed listen port, which its lease tells the other hosts; give interface.listen, e.g. &quot;:51820&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A profile has either &quot;peers&quot; or &quot;mesh&quot;, not both: a mesh profile gets its peers from etcd.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must be an absolute file path, but it is %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 contains a control character.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is empty; give an etcd endpoint such as &quot;http://10.0.0.1:2379&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 must start with http:// or https://, like &quot;http://10.0.0.1:2379&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a valid URL: %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has a user name or password in it; use mesh.username and mesh.password instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has a path, query or fragment; an etcd endpoint is only scheme, address and port, like &quot;http://10.0.0.1:2379&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 does not name an IP address; host names are not accepted for etcd endpoints, so give an IPv4 or IPv6 address (with TLS, one that etcd&apos;s certificate names).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has port 0; etcd&apos;s client port is usually 2379.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mesh prefix %1 must start with &apos;/&apos;, like &quot;%2&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mesh prefix %1 must not end with &apos;/&apos;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mesh prefix is %1 characters long; at most %2 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mesh prefix %1 may hold only printable ASCII without spaces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.etcd lists no etcd endpoint; give at least one, such as &quot;http://10.0.0.1:2379&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.etcd lists %1 endpoints; at most %2 are allowed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.etcd[%1] and mesh.etcd[%2] are the same endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.certFile and mesh.keyFile go together: a client certificate needs its private key; give both or neither.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS files are given but an endpoint in mesh.etcd uses http://; use https:// for every endpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.password is given without mesh.username.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.username must be at most 128 characters without control characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mesh.leaseTtl is %1 seconds; it must be %2 to %3 (a keep-alive goes every third of it, and one that times out must leave time for the next).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::ProfileEditor</name>
    <message>
        <source>Edit profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile editor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>office</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shown in the list and used as the tunnel&apos;s name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Interface:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peertun0</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name of the network device (at most 15 bytes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10.244.2.2/24</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This host&apos;s address inside the tunnel, with prefix length.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;MTU:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave empty to use the path MTU minus the encapsulation overhead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Listen on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>:8285 (any address)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local UDP address and port, e.g. 10.211.55.122:8285 or :8285.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plain (unencrypted, flannel compatible)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>M&amp;ode:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P&amp;eers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subnets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peer errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;dd peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit profile %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WireGuard (encrypted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plain mode sends packets unencrypted: use it only on networks you trust. WireGuard works with any WireGuard peer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Private key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output of &quot;wg genkey&quot;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This host&apos;s WireGuard private key (a secret; stays in your profile file, mode 0600).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keepalive (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preshared key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tunnel is up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Generate key pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate key pair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fills in a new random private key; give the public key to the peers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>derived from the private key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This host&apos;s public key, derived from the private key; give it to the peers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cop&amp;y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy public key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies the public key to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Public key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace the private key? Peers that know the old public key will not accept this host until they get the new one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connect &amp;when I log in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When you log in, peertun starts in the tray and connects this profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>peer “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the %1 field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DNS ser&amp;vers and domains:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>10.2.0.1, corp.example</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As wg-quick&apos;s DNS line: addresses are the tunnel&apos;s DNS servers, other entries search domains. Given to systemd-resolved for the tunnel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Kill switch: block all traffic outside the tunnel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>While the tunnel is connected, and if it breaks, nothing leaves this computer except through the tunnel, until you disconnect it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Proposed because this profile sends all traffic through the tunnel.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kill switch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allow the lo&amp;cal network while the kill switch is on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Printers, file shares and the router on this computer&apos;s own networks stay reachable.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint: the peer&apos;s IP address or host name and UDP port (10.211.55.123:8285, vpn.example.net:51820). Subnets: networks reached through the peer, separated by commas (0.0.0.0/0 and ::/0 send all traffic through the tunnel).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This profile&apos;s tunnel is up. A change of its peers alone is applied to it as you save; for other changes it keeps its old settings until you reconnect it, which the main window offers after saving.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed peers (listed below)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mesh: the members of a network in etcd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A mesh joins a network whose members, subnets and keys live in etcd (flannel&apos;s layout): this host takes a subnet lease, which decides its address, and every other member is a peer, as members come and go.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Peers &amp;from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>http://10.0.0.1:2379</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Etcd endpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The etcd cluster&apos;s client URLs, one per line or separated by commas: http:// or https:// with an IP address and port.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;tcd endpoints:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key prefi&amp;x:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where the network&apos;s keys live in etcd; empty: %1 (flannel&apos;s is /coreos.com/network).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS: the CA certificate (PEM) that signed etcd&apos;s certificate; needs https:// endpoints.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client certificate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS: this host&apos;s client certificate (PEM), with its key file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>TLS: the client certificate&apos;s private key (PEM).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>etcd authentication: the user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>etcd authentication: the password (a secret; stays in your profile file, mode 0600).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Live peer change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In a mesh, the mode must be the network&apos;s backend: WireGuard joins a network whose backend is &quot;wireguard&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In a mesh, the mode must be the network&apos;s backend: Plain joins a network whose backend is &quot;udp&quot; (flannel&apos;s UDP backend).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>etcd endpoint %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applying the new peers to the running tunnel %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The running tunnel did not take the new peers, so nothing was saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for the CA file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for the client certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse for the client key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the CA file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the client certificate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the client key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Su&amp;bnet lease time:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How long this host&apos;s subnet lease in etcd lasts, in seconds (%1 to %2): a keep-alive renews it every third of it, and when they stop, the lease runs out and the other members drop this host.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.key);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::ProfileStore</name>
    <message>
        <source>The file is larger than %1 KiB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file name does not match the profile name &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the profile folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 could not be read and is kept as it is; fix or remove that file first, or choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A profile named &quot;%1&quot; already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no profile named &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot remove %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (copy %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is larger than %2 KiB.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot create the folder of %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connects the tunnels marked &quot;Connect when I log in&quot;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::ThroughputGraph</name>
    <message>
        <source>Throughput graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bytes per second received and sent over the last five minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now: received %1, sent %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>last %n minute(s)</source>
        <translation>
            <numerusform>last minute</numerusform>
            <numerusform>last %n minutes</numerusform>
        </translation>
    </message>
    <message>
        <source>received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No traffic data yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::TrayIcon</name>
    <message>
        <source>peertun</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>peertun::TunnelController</name>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1 saved; the tunnel runs the old settings until it is reconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the file is larger than 256 KiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WireGuard config %1 not imported: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A profile named %1 exists already; the new one is called %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported WireGuard config %1 as profile %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1 deleted; the tunnel %2 stays up until it is disconnected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Profile %1 sends all traffic through the tunnel: its kill switch is on (turn it off in the editor if you do not want it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The tunnel %1 took peers after their editor was closed without saving; reconnect it to run the saved profile.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
