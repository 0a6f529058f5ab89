<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Format</name>
    <message>
        <source>%1/s</source>
        <translation>%1/秒</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation>
            <numerusform>%n 秒前</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>%n 分钟前</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>%n 小时前</numerusform>
        </translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>正在连接</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnecting</source>
        <translation>正在断开</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>已阻断</translation>
    </message>
</context>
<context>
    <name>TunnelText</name>
    <message>
        <source>Kill switch on: traffic outside the tunnel is blocked</source>
        <translation>终止开关已开启：隧道之外的流量被阻断</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>The tunnel is down, and its kill switch still blocks all traffic; disconnect to lift it.</source>
        <translation>隧道已断开，但其终止开关仍在阻断所有流量；断开连接即可解除。</translation>
    </message>
    <message>
        <source>DNS: %1</source>
        <translation>DNS：%1</translation>
    </message>
    <message>
        <source>DNS: %1 (domains %2)</source>
        <translation>DNS：%1（域 %2）</translation>
    </message>
    <message>
        <source>DNS not applied</source>
        <translation>DNS 未生效</translation>
    </message>
    <message>
        <source>not known until the peer connects</source>
        <translation>对端连接之前未知</translation>
    </message>
    <message>
        <source>%1 (where the peer connected from)</source>
        <translation>%1（对端连接来源）</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1 → resolving…</source>
        <translation>%1 → 正在解析…</translation>
    </message>
    <message>
        <source>%1 → resolving: %2</source>
        <translation>%1 → 正在解析：%2</translation>
    </message>
    <message>
        <source>%1 → %2 (the last lookup failed: %3)</source>
        <translation>%1 → %2（上次解析失败：%3）</translation>
    </message>
    <message>
        <source>%1: reconnecting…</source>
        <translation>%1：正在重新连接…</translation>
    </message>
    <message>
        <source>%1: connected, ↓ %2 ↑ %3</source>
        <translation>%1：已连接，↓ %2 ↑ %3</translation>
    </message>
    <message>
        <source>peertun: no tunnel is up</source>
        <translation>peertun：没有运行中的隧道</translation>
    </message>
    <message>
        <source>peertun</source>
        <translation>peertun</translation>
    </message>
    <message>
        <source>Coordination store unreachable since %1</source>
        <translation>自 %1 起无法连接协调存储</translation>
    </message>
    <message>
        <source>; the members stay as last known.</source>
        <translation>；成员保持最后已知的状态。</translation>
    </message>
    <message>
        <source>Mesh: %1</source>
        <translation>网格：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n other member(s) reached as peers</source>
        <translation>
            <numerusform>%n 个其他成员作为对端可达</numerusform>
        </translation>
    </message>
    <message>
        <source>Another user connected this tunnel: only they and administrators see its peers, endpoints, counters and log (`peertunctl status --details` asks for authorization).</source>
        <translation>此隧道由另一位用户连接：只有该用户和管理员能看到它的对端、端点、计数器和日志（`peertunctl status --details` 会请求授权）。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Point-to-point VPN tunnels over UDP.</source>
        <translation>基于 UDP 的点对点 VPN 隧道。</translation>
    </message>
    <message>
        <source>Start in the tray.</source>
        <translation>启动时只显示托盘图标。</translation>
    </message>
    <message>
        <source>Keep profiles in DIR instead of the config folder.</source>
        <translation>把配置文件保存在 DIR，而不是配置目录。</translation>
    </message>
    <message>
        <source>Start in the tray and connect the profiles marked &quot;Connect when I log in&quot;.</source>
        <translation>在托盘中启动，并连接标记为“登录时连接”的配置。</translation>
    </message>
</context>
<context>
    <name>peertun::CountersView</name>
    <message>
        <source>Current rates</source>
        <translation>当前速率</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>Dropped packets</source>
        <translation>丢弃的数据包</translation>
    </message>
    <message>
        <source>Peer</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Sent packets</source>
        <translation>发送包数</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>Received packets</source>
        <translation>接收包数</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Last packet</source>
        <translation>最近数据包</translation>
    </message>
    <message>
        <source>Peer counters</source>
        <translation>对端计数器</translation>
    </message>
    <message>
        <source>no peer for the destination</source>
        <translation>目的地址没有对应的对端</translation>
    </message>
    <message>
        <source>from an unknown endpoint</source>
        <translation>来自未知端点</translation>
    </message>
    <message>
        <source>malformed</source>
        <translation>格式错误</translation>
    </message>
    <message>
        <source>source outside the peer&apos;s subnets</source>
        <translation>源地址不在对端子网内</translation>
    </message>
    <message>
        <source>too big</source>
        <translation>过大</translation>
    </message>
    <message>
        <source>send errors</source>
        <translation>发送错误</translation>
    </message>
    <message>
        <source>↓ %1   ↑ %2</source>
        <translation>↓ %1   ↑ %2</translation>
    </message>
    <message>
        <source>Received %1 packets (%2), sent %3 packets (%4)</source>
        <translation>已接收 %1 个数据包（%2），已发送 %3 个数据包（%4）</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>No packets dropped</source>
        <translation>没有丢弃数据包</translation>
    </message>
    <message>
        <source>Dropped %1 packets (%2)</source>
        <translation>丢弃了 %1 个数据包（%2）</translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation>加密</translation>
    </message>
    <message>
        <source>Handshakes</source>
        <translation>握手次数</translation>
    </message>
    <message>
        <source>Initiations sent</source>
        <translation>已发起握手</translation>
    </message>
    <message>
        <source>Last handshake</source>
        <translation>上次握手</translation>
    </message>
    <message>
        <source>Plain mode: this tunnel is unencrypted; anyone on the path can read and forge its packets.</source>
        <translation>明文模式：此隧道未加密；路径上的任何人都能读取和伪造它的数据包。</translation>
    </message>
    <message>
        <source>WireGuard (encrypted). Handshakes: %1 done, %2 failed. Decryption failures: %3. Replays rejected: %4.</source>
        <translation>WireGuard（已加密）。握手：成功 %1 次，失败 %2 次。解密失败：%3 次。拒绝重放：%4 次。</translation>
    </message>
    <message>
        <source>DNS and kill switch</source>
        <translation>DNS 与终止开关</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
</context>
<context>
    <name>peertun::HelperSession</name>
    <message>
        <source>The system message bus (D-Bus) cannot be reached, so peertun cannot talk to its helper. Check that dbus is running.</source>
        <translation>无法连接系统消息总线（D-Bus），peertun 无法与辅助程序通信。请检查 dbus 是否在运行。</translation>
    </message>
    <message>
        <source>Found tunnel %1 %2 in the helper.</source>
        <translation>在辅助程序中发现隧道 %1（%2）。</translation>
    </message>
    <message>
        <source>Asking the helper to connect %1.</source>
        <translation>请求辅助程序连接 %1。</translation>
    </message>
    <message>
        <source>Asking the helper to disconnect %1.</source>
        <translation>请求辅助程序断开 %1。</translation>
    </message>
    <message>
        <source>Authorization refused: %1</source>
        <translation>授权被拒绝：%1</translation>
    </message>
    <message>
        <source>Authorization was refused: you are not allowed to connect or disconnect tunnels (%1). Ask an administrator to allow the action io.peertun.control for you, e.g. by adding you to the group netdev with peertun&apos;s polkit rule.</source>
        <translation>授权被拒绝：您无权连接或断开隧道（%1）。请联系管理员为您授权操作 io.peertun.control，例如借助 peertun 的 polkit 规则把您加入 netdev 组。</translation>
    </message>
    <message>
        <source>The peertun helper is not installed (nobody provides io.peertun.Helper1 on the system bus). Install peertun with its system files (sudo cmake --install build) and try again.</source>
        <translation>未安装 peertun 辅助程序（系统总线上没有 io.peertun.Helper1）。请连同系统文件一起安装 peertun（sudo cmake --install build）后重试。</translation>
    </message>
    <message>
        <source>The peertun helper does not respond (%1). Check &quot;journalctl -u peertun-helper&quot;; peertun keeps trying.</source>
        <translation>peertun 辅助程序没有响应（%1）。请查看 “journalctl -u peertun-helper”；peertun 会继续重试。</translation>
    </message>
    <message>
        <source>The helper is running.</source>
        <translation>辅助程序正在运行。</translation>
    </message>
    <message>
        <source>The peertun helper was restarted. The tunnels that went down with it (%1) stay down until you connect them again.</source>
        <translation>peertun 辅助程序已重新启动。随之断开的隧道（%1）在您重新连接之前保持断开。</translation>
    </message>
    <message>
        <source>The helper exited (idle).</source>
        <translation>辅助程序已退出（空闲）。</translation>
    </message>
    <message>
        <source>the helper stopped</source>
        <translation>辅助程序已停止</translation>
    </message>
    <message>
        <source>The helper stopped while tunnels were up: %1.</source>
        <translation>辅助程序在隧道运行时停止了：%1。</translation>
    </message>
    <message>
        <source>The peertun helper stopped unexpectedly; the tunnels %1 are down. peertun starts it again and reconnects to it; connect the tunnels again when it is back.</source>
        <translation>peertun 辅助程序意外停止，隧道 %1 已断开。peertun 会重新启动它并重新连接；它恢复后请重新连接隧道。</translation>
    </message>
    <message>
        <source>Asking the helper to change the peers of %1.</source>
        <translation>正在请求助手更改 %1 的对端。</translation>
    </message>
    <message>
        <source>The peers of %1 changed.</source>
        <translation>%1 的对端已更改。</translation>
    </message>
</context>
<context>
    <name>peertun::LogView</name>
    <message>
        <source>debug</source>
        <translation>调试</translation>
    </message>
    <message>
        <source>warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <source>Debug and above</source>
        <translation>调试及以上</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>信息及以上</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>警告和错误</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>仅错误</translation>
    </message>
    <message>
        <source>Log level filter</source>
        <translation>日志级别过滤</translation>
    </message>
    <message>
        <source>Search the log</source>
        <translation>搜索日志</translation>
    </message>
    <message>
        <source>&amp;Follow</source>
        <translation>跟随(&amp;F)</translation>
    </message>
    <message>
        <source>Keep the newest line in view</source>
        <translation>始终显示最新一行</translation>
    </message>
    <message>
        <source>Cop&amp;y</source>
        <translation>复制(&amp;Y)</translation>
    </message>
    <message>
        <source>Copy the selected lines, or all shown lines</source>
        <translation>复制选中的行，或所有显示的行</translation>
    </message>
    <message>
        <source>Cl&amp;ear</source>
        <translation>清空(&amp;E)</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Level</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Tunnel</source>
        <translation>隧道</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>app</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>helper</source>
        <translation>辅助程序</translation>
    </message>
</context>
<context>
    <name>peertun::LoginConnector</name>
    <message>
        <source>connecting at login</source>
        <translation>登录时连接</translation>
    </message>
</context>
<context>
    <name>peertun::MainWindow</name>
    <message>
        <source>peertun</source>
        <translation>peertun</translation>
    </message>
    <message>
        <source>Helper status</source>
        <translation>辅助程序状态</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Prof&amp;iles</source>
        <translation>配置(&amp;I)</translation>
    </message>
    <message>
        <source>Profiles</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>&amp;New profile…</source>
        <translation>新建配置(&amp;N)…</translation>
    </message>
    <message>
        <source>Tunnel state</source>
        <translation>隧道状态</translation>
    </message>
    <message>
        <source>Connect or disconnect</source>
        <translation>连接或断开</translation>
    </message>
    <message>
        <source>&amp;Profile</source>
        <translation>配置(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>新建(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation>编辑(&amp;E)…</translation>
    </message>
    <message>
        <source>D&amp;uplicate</source>
        <translation>复制(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>重命名(&amp;R)…</translation>
    </message>
    <message>
        <source>De&amp;lete…</source>
        <translation>删除(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Import…</source>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Tunnel</source>
        <translation>隧道(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Search the log</source>
        <translation>搜索日志(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About peertun</source>
        <translation>关于 peertun(&amp;A)</translation>
    </message>
    <message>
        <source>About peertun</source>
        <translation>关于 peertun</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;peertun&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;Point-to-point tunnels over UDP, managed by a privileged helper (%2).&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;peertun&lt;/b&gt; %1&lt;/p&gt;&lt;p&gt;基于 UDP 的点对点隧道，由特权辅助程序管理（%2）。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>helper not running</source>
        <translation>辅助程序未运行</translation>
    </message>
    <message>
        <source>helper %1</source>
        <translation>辅助程序 %1</translation>
    </message>
    <message>
        <source>%1 — cannot be used</source>
        <translation>%1 — 无法使用</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>(no profile here)</source>
        <translation>（本机无配置）</translation>
    </message>
    <message>
        <source>No profile</source>
        <translation>没有配置</translation>
    </message>
    <message>
        <source>Create a profile with &quot;New profile&quot; (Ctrl+N) or import one.</source>
        <translation>用“新建配置”（Ctrl+N）创建配置，或导入一个。</translation>
    </message>
    <message>
        <source>This file cannot be used: %1</source>
        <translation>此文件无法使用：%1</translation>
    </message>
    <message>
        <source>peertun does not change it. Fix it in a text editor or remove it: %1</source>
        <translation>peertun 不会修改它。请用文本编辑器修正或删除它：%1</translation>
    </message>
    <message>
        <source>Brought up outside this app; there is no profile for it here.</source>
        <translation>由本应用之外启动；这里没有它的配置。</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>断开(&amp;D)</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation>正在断开…</translation>
    </message>
    <message>
        <source>Disconnect %1</source>
        <translation>断开 %1</translation>
    </message>
    <message>
        <source>Connect %1</source>
        <translation>连接 %1</translation>
    </message>
    <message>
        <source>Hide window</source>
        <translation>隐藏窗口</translation>
    </message>
    <message>
        <source>Show window</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>No system bus</source>
        <translation>没有系统总线</translation>
    </message>
    <message>
        <source>Helper not installed</source>
        <translation>辅助程序未安装</translation>
    </message>
    <message>
        <source>Helper not responding</source>
        <translation>辅助程序无响应</translation>
    </message>
    <message>
        <source>Helper stopped</source>
        <translation>辅助程序已停止</translation>
    </message>
    <message>
        <source>Authorization refused</source>
        <translation>授权被拒绝</translation>
    </message>
    <message>
        <source>Helper restarted</source>
        <translation>辅助程序已重启</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Tunnel %1 is up.</source>
        <translation>隧道 %1 已连接。</translation>
    </message>
    <message>
        <source>Connection failed</source>
        <translation>连接失败</translation>
    </message>
    <message>
        <source>Tunnel %1: %2</source>
        <translation>隧道 %1：%2</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>Tunnel %1 is down.</source>
        <translation>隧道 %1 已断开。</translation>
    </message>
    <message>
        <source>Tunnel %1 is down: %2</source>
        <translation>隧道 %1 已断开：%2</translation>
    </message>
    <message>
        <source>office</source>
        <translation>office</translation>
    </message>
    <message>
        <source>Duplicate profile</source>
        <translation>复制配置</translation>
    </message>
    <message>
        <source>Rename profile</source>
        <translation>重命名配置</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete profile</source>
        <translation>删除配置</translation>
    </message>
    <message>
        <source>Import profile</source>
        <translation>导入配置</translation>
    </message>
    <message>
        <source>Profiles (*.json);;All files (*)</source>
        <translation>配置文件 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1 cannot be imported: %2</source>
        <translation>无法导入 %1：%2</translation>
    </message>
    <message>
        <source>Export profile</source>
        <translation>导出配置</translation>
    </message>
    <message>
        <source>Profiles (*.json)</source>
        <translation>配置文件 (*.json)</translation>
    </message>
    <message>
        <source>peertun is still running</source>
        <translation>peertun 仍在运行</translation>
    </message>
    <message>
        <source>peertun keeps running in the tray; quit from its menu.</source>
        <translation>peertun 会在托盘中继续运行；请从托盘菜单退出。</translation>
    </message>
    <message>
        <source>Reconnect to apply changes</source>
        <translation>重新连接以应用更改</translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation>立即重新连接</translation>
    </message>
    <message>
        <source>&amp;Later</source>
        <translation>稍后(&amp;L)</translation>
    </message>
    <message>
        <source>Reconnect later</source>
        <translation>稍后重新连接</translation>
    </message>
    <message>
        <source>Import &amp;WireGuard config…</source>
        <translation>导入 WireGuard 配置(&amp;W)…</translation>
    </message>
    <message>
        <source>(unencrypted)</source>
        <translation>（未加密）</translation>
    </message>
    <message>
        <source>WireGuard (encrypted)</source>
        <translation>WireGuard（已加密）</translation>
    </message>
    <message>
        <source>plain mode, unencrypted</source>
        <translation>明文模式，未加密</translation>
    </message>
    <message numerus="yes">
        <source>Interface %1, address %2, listening on %3, %n peer(s); %4</source>
        <translation>
            <numerusform>接口 %1，地址 %2，监听 %3，%n 个对端；%4</numerusform>
        </translation>
    </message>
    <message>
        <source>The tunnel %1 still runs with its old settings. Reconnect it to use the saved ones (traffic stops for a moment).</source>
        <translation>隧道 %1 仍在使用旧的设置运行。重新连接即可使用已保存的设置（流量会短暂中断）。</translation>
    </message>
    <message>
        <source>The tunnel %1 still runs with its old settings. Reconnect to bring it up as %2 with the saved ones (traffic stops for a moment).</source>
        <translation>隧道 %1 仍在使用旧的设置运行。重新连接后将以 %2 的名称使用已保存的设置启动（流量会短暂中断）。</translation>
    </message>
    <message>
        <source>Reconnecting %1…</source>
        <translation>正在重新连接 %1…</translation>
    </message>
    <message>
        <source>Import WireGuard config</source>
        <translation>导入 WireGuard 配置</translation>
    </message>
    <message>
        <source>WireGuard configs (*.conf);;All files (*)</source>
        <translation>WireGuard 配置 (*.conf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1 cannot be imported:</source>
        <translation>无法导入 %1：</translation>
    </message>
    <message>
        <source>Also not supported:</source>
        <translation>另外，以下内容不受支持：</translation>
    </message>
    <message>
        <source>Imported %1 as the profile %2. Not carried over:</source>
        <translation>已将 %1 导入为配置 %2。以下内容未导入：</translation>
    </message>
    <message>
        <source>Reconnect n&amp;ow</source>
        <translation>立即重新连接(&amp;O)</translation>
    </message>
    <message>
        <source>Open it in the profile editor to fix it?</source>
        <translation>要在配置编辑器中打开并修正它吗？</translation>
    </message>
    <message>
        <source>Delete the profile %1? Its tunnel %2 is up and stays up: it stays in the list as a tunnel without a profile until you disconnect it.</source>
        <translation>删除配置 %1？它的隧道 %2 正在运行并会继续运行：在您断开它之前，它会作为没有配置的隧道留在列表中。</translation>
    </message>
    <message>
        <source>Delete the profile %1?</source>
        <translation>删除配置 %1？</translation>
    </message>
    <message>
        <source>Imported %1 as the profile %2.</source>
        <translation>已将 %1 导入为配置 %2。</translation>
    </message>
    <message>
        <source>It sends all traffic through the tunnel, so its kill switch is on: nothing leaves this computer outside the tunnel while it is connected. Turn it off in the editor (Ctrl+E) if you do not want that.</source>
        <translation>该配置将所有流量经由隧道发送，因此已开启终止开关：连接期间，除经由隧道外没有任何流量离开本机。如果不需要，请在编辑器中关闭它（Ctrl+E）。</translation>
    </message>
    <message>
        <source>The new peers of %1 were applied without a reconnect.</source>
        <translation>%1 的新对端已生效，无需重新连接。</translation>
    </message>
    <message>
        <source>The tunnel %1 did not take the new peers: %2</source>
        <translation>隧道 %1 未接受新对端：%2</translation>
    </message>
    <message>
        <source>from its lease</source>
        <translation>由其租约决定</translation>
    </message>
    <message>
        <source>Interface %1, address %2, listening on %3; a mesh through etcd (%4, prefix %5); %6</source>
        <translation>接口 %1，地址 %2，监听 %3；通过 etcd 组成的网格（%4，前缀 %5）；%6</translation>
    </message>
</context>
<context>
    <name>peertun::Profile</name>
    <message>
        <source>the address is empty</source>
        <translation>地址为空</translation>
    </message>
    <message>
        <source>%1 contains whitespace</source>
        <translation>%1 含有空白字符</translation>
    </message>
    <message>
        <source>%1 has a scope ID, which is not supported</source>
        <translation>%1 带有作用域 ID，不支持</translation>
    </message>
    <message>
        <source>%1 is not a valid IPv6 address</source>
        <translation>%1 不是有效的 IPv6 地址</translation>
    </message>
    <message>
        <source>%1 is an IPv4-mapped IPv6 address; write the IPv4 address itself</source>
        <translation>%1 是 IPv4 映射的 IPv6 地址；请直接写 IPv4 地址</translation>
    </message>
    <message>
        <source>%1 is not a valid IPv4 address (four numbers 0 to 255, like 10.244.2.2)</source>
        <translation>%1 不是有效的 IPv4 地址（四个 0 到 255 的数字，如 10.244.2.2）</translation>
    </message>
    <message>
        <source>%1 is not an IPv4 or IPv6 address</source>
        <translation>%1 不是 IPv4 或 IPv6 地址</translation>
    </message>
    <message>
        <source>the port is missing</source>
        <translation>缺少端口</translation>
    </message>
    <message>
        <source>the port %1 is not a number</source>
        <translation>端口 %1 不是数字</translation>
    </message>
    <message>
        <source>port 0 is not allowed; use 1 to 65535 (8285 is the usual)</source>
        <translation>不允许端口 0；请使用 1 到 65535（通常为 8285）</translation>
    </message>
    <message>
        <source>the port %1 is out of range; use 1 to 65535</source>
        <translation>端口 %1 超出范围；请使用 1 到 65535</translation>
    </message>
    <message>
        <source>The %1 is empty; give it a name.</source>
        <translation>%1为空；请起一个名字。</translation>
    </message>
    <message>
        <source>The %1 %2 is %3 characters long; at most %4 are allowed.</source>
        <translation>%1 %2 长 %3 个字符；最多允许 %4 个。</translation>
    </message>
    <message>
        <source>The %1 %2 contains a control character (U+%3), which is not allowed.</source>
        <translation>%1 %2 含有控制字符（U+%3），这是不允许的。</translation>
    </message>
    <message>
        <source>The %1 %2 contains &apos;/&apos;, which is not allowed because the name becomes a file name.</source>
        <translation>%1 %2 含有 &apos;/&apos;，这是不允许的，因为该名称会用作文件名。</translation>
    </message>
    <message>
        <source>The %1 %2 is not allowed because it becomes a file name.</source>
        <translation>%1 %2 不允许使用，因为该名称会用作文件名。</translation>
    </message>
    <message>
        <source>the unspecified address</source>
        <translation>未指定地址</translation>
    </message>
    <message>
        <source>a multicast address</source>
        <translation>组播地址</translation>
    </message>
    <message>
        <source>the broadcast address</source>
        <translation>广播地址</translation>
    </message>
    <message>
        <source>There are more errors; only the first %1 are reported.</source>
        <translation>还有更多错误；只列出前 %1 个。</translation>
    </message>
    <message>
        <source>The address is empty; write it as address/prefix, e.g. 10.244.2.2/24.</source>
        <translation>地址为空；请写成 地址/前缀 的形式，例如 10.244.2.2/24。</translation>
    </message>
    <message>
        <source>%1 has no prefix length; write it as address/prefix, e.g. 10.244.2.2/24.</source>
        <translation>%1 没有前缀长度；请写成 地址/前缀 的形式，例如 10.244.2.2/24。</translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: %2.</source>
        <translation>%1 不是有效的 地址/前缀：%2。</translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: the prefix length %2 is not a number.</source>
        <translation>%1 不是有效的 地址/前缀：前缀长度 %2 不是数字。</translation>
    </message>
    <message>
        <source>%1 is not a valid address/prefix: the prefix length %2 is out of range for %3 (0 to %4).</source>
        <translation>%1 不是有效的 地址/前缀：前缀长度 %2 超出 %3 的范围（0 到 %4）。</translation>
    </message>
    <message>
        <source>%1 has host bits set; the subnet is written %2.</source>
        <translation>%1 设置了主机位；该子网应写作 %2。</translation>
    </message>
    <message>
        <source>10.211.55.122:8285 or :8285</source>
        <translation>10.211.55.122:8285 或 :8285</translation>
    </message>
    <message>
        <source>%1 is not a valid endpoint: %2; write it as host:port, e.g. %3, or [fd00::1]:8285 for IPv6.</source>
        <translation>%1 不是有效的端点：%2；请写成 host:port 的形式，例如 %3，IPv6 则写 [fd00::1]:8285。</translation>
    </message>
    <message>
        <source>it is empty</source>
        <translation>它为空</translation>
    </message>
    <message>
        <source>the &apos;[&apos; has no matching &apos;]&apos;</source>
        <translation>&apos;[&apos; 没有匹配的 &apos;]&apos;</translation>
    </message>
    <message>
        <source>&apos;]&apos; must be followed by &apos;:&apos; and the port</source>
        <translation>&apos;]&apos; 后面必须跟 &apos;:&apos; 和端口</translation>
    </message>
    <message>
        <source>brackets are only for IPv6 addresses</source>
        <translation>方括号只用于 IPv6 地址</translation>
    </message>
    <message>
        <source>an IPv6 address must be in brackets</source>
        <translation>IPv6 地址必须放在方括号中</translation>
    </message>
    <message>
        <source>the port is missing (8285 is the usual)</source>
        <translation>缺少端口（通常为 8285）</translation>
    </message>
    <message>
        <source>the host is missing; a peer needs its address</source>
        <translation>缺少主机；对端需要它的地址</translation>
    </message>
    <message>
        <source>%1 is %2</source>
        <translation>%1 是%2</translation>
    </message>
    <message>
        <source>The interface name is empty; give a device name such as peertun0.</source>
        <translation>接口名称为空；请填写设备名，如 peertun0。</translation>
    </message>
    <message>
        <source>The interface name %1 is %2 bytes long; Linux allows at most %3.</source>
        <translation>接口名称 %1 长 %2 字节；Linux 最多允许 %3 字节。</translation>
    </message>
    <message>
        <source>The interface name %1 is not allowed; &quot;.&quot; and &quot;..&quot; are reserved.</source>
        <translation>接口名称 %1 不允许使用；&quot;.&quot; 和 &quot;..&quot; 是保留名称。</translation>
    </message>
    <message>
        <source>The interface name %1 contains &apos;/&apos;, which Linux does not allow in device names.</source>
        <translation>接口名称 %1 含有 &apos;/&apos;，Linux 不允许设备名中出现它。</translation>
    </message>
    <message>
        <source>The interface name %1 contains whitespace, which Linux does not allow in device names.</source>
        <translation>接口名称 %1 含有空白字符，Linux 不允许设备名中出现它。</translation>
    </message>
    <message>
        <source>The interface name %1 contains &apos;:&apos;, which Linux reserves for address labels.</source>
        <translation>接口名称 %1 含有 &apos;:&apos;，Linux 将其保留给地址标签。</translation>
    </message>
    <message>
        <source>The interface name %1 contains %2; use only ASCII letters, digits, &apos;-&apos;, &apos;_&apos; and &apos;.&apos;.</source>
        <translation>接口名称 %1 含有 %2；只能使用 ASCII 字母、数字、&apos;-&apos;、&apos;_&apos; 和 &apos;.&apos;。</translation>
    </message>
    <message>
        <source>profile name</source>
        <translation>配置名称</translation>
    </message>
    <message>
        <source>peer name</source>
        <translation>对端名称</translation>
    </message>
    <message>
        <source>%1 is empty; give the key as 44 characters of base64, as %2 writes it.</source>
        <translation>%1 为空；请填写 44 个字符的 base64 密钥，即 %2 输出的格式。</translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it must be 44 characters of base64, as %2 writes it, but it has %3.</source>
        <translation>%1 不是 WireGuard 密钥：它必须是 44 个字符的 base64（即 %2 输出的格式），但它有 %3 个字符。</translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it contains a character that is not base64 (only A-Z, a-z, 0-9, &apos;+&apos;, &apos;/&apos; and &apos;=&apos; padding).</source>
        <translation>%1 不是 WireGuard 密钥：它含有非 base64 字符（只允许 A-Z、a-z、0-9、&apos;+&apos;、&apos;/&apos; 和填充用的 &apos;=&apos;）。</translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: it is not base64 for 32 bytes (43 characters and one &apos;=&apos;).</source>
        <translation>%1 不是 WireGuard 密钥：它不是 32 字节的 base64（43 个字符加一个 &apos;=&apos;）。</translation>
    </message>
    <message>
        <source>%1 is not a WireGuard key: its base64 is not canonical (the last character before &apos;=&apos; has spare bits set).</source>
        <translation>%1 不是 WireGuard 密钥：它的 base64 不规范（&apos;=&apos; 之前的最后一个字符设置了多余的位）。</translation>
    </message>
    <message>
        <source>%1 is all zeros, which is not a usable key.</source>
        <translation>%1 全为零，不是可用的密钥。</translation>
    </message>
    <message>
        <source>The address is missing or not an IPv4 or IPv6 address.</source>
        <translation>地址缺失，或不是 IPv4 或 IPv6 地址。</translation>
    </message>
    <message>
        <source>%1 has a scope ID, which is not supported.</source>
        <translation>%1 带有作用域 ID，不支持。</translation>
    </message>
    <message>
        <source>%1 is an IPv4-mapped IPv6 address; write the IPv4 address itself.</source>
        <translation>%1 是 IPv4 映射的 IPv6 地址；请直接写 IPv4 地址。</translation>
    </message>
    <message>
        <source>The prefix length %1 of %2 is out of range for %3 (0 to %4).</source>
        <translation>%2 的前缀长度 %1 超出 %3 的范围（0 到 %4）。</translation>
    </message>
    <message>
        <source>%1 cannot be a tunnel address: it is %2.</source>
        <translation>%1 不能用作隧道地址：它是%2。</translation>
    </message>
    <message>
        <source>%1 cannot be a tunnel address: it is a loopback address.</source>
        <translation>%1 不能用作隧道地址：它是回环地址。</translation>
    </message>
    <message>
        <source>The MTU %1 is out of range; use %2 to 65535 for an %3 tunnel address, or leave &quot;mtu&quot; out to pick it automatically.</source>
        <translation>MTU %1 超出范围；%3 隧道地址请使用 %2 到 65535，或省略 &quot;mtu&quot; 以自动选择。</translation>
    </message>
    <message>
        <source>Port 0 in %1 is not allowed; use 1 to 65535 (8285 is the usual).</source>
        <translation>%1 中不允许端口 0；请使用 1 到 65535（通常为 8285）。</translation>
    </message>
    <message>
        <source>%1 cannot be listened on; give a local unicast address, or &quot;:%2&quot; for all addresses.</source>
        <translation>无法在 %1 上监听；请填写本机的单播地址，或用 &quot;:%2&quot; 监听所有地址。</translation>
    </message>
    <message>
        <source>%1 is set, but the profile&apos;s mode is &quot;plain&quot;, which is unencrypted and uses no keys; set &quot;mode&quot;: &quot;wireguard&quot; or remove %1.</source>
        <translation>设置了 %1，但配置的模式是 &quot;plain&quot;（不加密，不使用密钥）；请设置 &quot;mode&quot;: &quot;wireguard&quot; 或删除 %1。</translation>
    </message>
    <message>
        <source>%1 is the same text as interface.privateKey; the private key must never be shared.</source>
        <translation>%1 与 interface.privateKey 的内容相同；私钥绝不能共享。</translation>
    </message>
    <message>
        <source>peers[%1] and peers[%2] have the same public key; each peer needs its own.</source>
        <translation>peers[%1] 和 peers[%2] 的公钥相同；每个对端都需要自己的公钥。</translation>
    </message>
    <message>
        <source>The persistent keepalive %1 is out of range; use 0 (off) to 65535 seconds (25 is usual behind NAT).</source>
        <translation>持久保活 %1 超出范围；请使用 0（关闭）到 65535 秒（在 NAT 后通常为 25）。</translation>
    </message>
    <message>
        <source>The profile has no peers; add at least one.</source>
        <translation>配置中没有对端；请至少添加一个。</translation>
    </message>
    <message>
        <source>The peer name %1 is used twice (peers[%2] and peers[%3]); peer names must be unique.</source>
        <translation>对端名称 %1 被使用了两次（peers[%2] 和 peers[%3]）；对端名称必须唯一。</translation>
    </message>
    <message>
        <source>Peer %1 has no endpoint address.</source>
        <translation>对端 %1 没有端点地址。</translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 is %3, not a peer&apos;s address.</source>
        <translation>对端 %2 的端点 %1 是%3，不是对端的地址。</translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 must be a plain IPv4 or IPv6 address without scope ID.</source>
        <translation>对端 %2 的端点 %1 必须是不带作用域 ID 的普通 IPv4 或 IPv6 地址。</translation>
    </message>
    <message>
        <source>The endpoint %1 of peer %2 is %3 but interface.listen binds the %4 address %5; use the same family or listen on &quot;:%6&quot;.</source>
        <translation>对端 %2 的端点 %1 是 %3，但 interface.listen 绑定的是 %4 地址 %5；请使用相同的地址族，或监听 &quot;:%6&quot;。</translation>
    </message>
    <message>
        <source>Peers %1 and %2 have the same endpoint %3; incoming packets could not be told apart.</source>
        <translation>对端 %1 和 %2 的端点相同（%3）；无法区分收到的数据包。</translation>
    </message>
    <message>
        <source>Port 0 in the endpoint of peer %1 is not allowed; use 1 to 65535.</source>
        <translation>对端 %1 的端点中不允许端口 0；请使用 1 到 65535。</translation>
    </message>
    <message>
        <source>Peer %1 has no subnets; list at least one, e.g. 10.244.3.0/24.</source>
        <translation>对端 %1 没有子网；请至少列出一个，例如 10.244.3.0/24。</translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 is %3, but the interface address %4 is %5; a peer&apos;s subnets must be of the same family as interface.address.</source>
        <translation>对端 %2 的子网 %1 是 %3，但接口地址 %4 是 %5；对端的子网必须与 interface.address 属于同一地址族。</translation>
    </message>
    <message>
        <source>The subnet %1 is listed twice for peer %2.</source>
        <translation>子网 %1 在对端 %2 中列出了两次。</translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 overlaps the subnet %3 of peer %4; each address must belong to one peer.</source>
        <translation>对端 %2 的子网 %1 与对端 %4 的子网 %3 重叠；每个地址只能属于一个对端。</translation>
    </message>
    <message>
        <source>Schema version %1 is not supported; this peertun reads version %2.</source>
        <translation>不支持格式版本 %1；此版本的 peertun 读取版本 %2。</translation>
    </message>
    <message>
        <source>The mode %1 is unknown; supported modes: %2.</source>
        <translation>未知的模式 %1；支持的模式：%2。</translation>
    </message>
    <message>
        <source>the number %1</source>
        <translation>数字 %1</translation>
    </message>
    <message>
        <source>the string %1</source>
        <translation>字符串 %1</translation>
    </message>
    <message>
        <source>an array</source>
        <translation>数组</translation>
    </message>
    <message>
        <source>an object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>the profile</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>The key %1 is unknown in %2; allowed keys are: %3.</source>
        <translation>%2 中的键 %1 未知；允许的键：%3。</translation>
    </message>
    <message>
        <source>The key %1 is missing from %2.</source>
        <translation>%2 中缺少键 %1。</translation>
    </message>
    <message>
        <source>a string</source>
        <translation>字符串</translation>
    </message>
    <message>
        <source>a whole number</source>
        <translation>整数</translation>
    </message>
    <message>
        <source>The value %1 of %2 is far out of range.</source>
        <translation>%2 的值 %1 远超出范围。</translation>
    </message>
    <message>
        <source>%1 must be %2, but it is %3.</source>
        <translation>%1 必须是%2，但它是%3。</translation>
    </message>
    <message>
        <source>The profile is %1 bytes long; at most %2 bytes (64 KiB) are allowed.</source>
        <translation>配置长 %1 字节；最多允许 %2 字节（64 KiB）。</translation>
    </message>
    <message>
        <source>The profile is empty.</source>
        <translation>配置为空。</translation>
    </message>
    <message>
        <source>The profile is not valid JSON: %1 at line %2, column %3.</source>
        <translation>配置不是有效的 JSON：第 %2 行第 %3 列：%1。</translation>
    </message>
    <message>
        <source>The profile must be a JSON object ({ ... }).</source>
        <translation>配置必须是 JSON 对象（{ ... }）。</translation>
    </message>
    <message>
        <source>The name &quot;%1&quot; is not a valid device name; the device is called wg0.</source>
        <translation>名称 &quot;%1&quot; 不是有效的设备名；设备将命名为 wg0。</translation>
    </message>
    <message>
        <source>line %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>Unknown section %1.</source>
        <translation>未知的节 %1。</translation>
    </message>
    <message>
        <source>Expected &quot;Key = Value&quot;.</source>
        <translation>应为 &quot;Key = Value&quot;。</translation>
    </message>
    <message>
        <source>A key outside [Interface] or [Peer].</source>
        <translation>该键不在 [Interface] 或 [Peer] 中。</translation>
    </message>
    <message>
        <source>ListenPort must be 1-65535, not &quot;%1&quot;.</source>
        <translation>ListenPort 必须是 1-65535，而不是 &quot;%1&quot;。</translation>
    </message>
    <message>
        <source>Address %1: %2</source>
        <translation>Address %1：%2</translation>
    </message>
    <message>
        <source>MTU must be a number, not &quot;%1&quot;.</source>
        <translation>MTU 必须是数字，而不是 &quot;%1&quot;。</translation>
    </message>
    <message>
        <source>%1 (%2) is not supported by peertun and was not imported.</source>
        <translation>peertun 不支持 %1（%2），未导入。</translation>
    </message>
    <message>
        <source>Endpoint %1 of %2 was not imported (%3); the peer&apos;s address will be learned when it connects.</source>
        <translation>%2 的 Endpoint %1 未导入（%3）；对端连接时会获知它的地址。</translation>
    </message>
    <message>
        <source>AllowedIPs %1: %2</source>
        <translation>AllowedIPs %1：%2</translation>
    </message>
    <message>
        <source>PersistentKeepalive must be seconds or &quot;off&quot;, not &quot;%1&quot;.</source>
        <translation>PersistentKeepalive 必须是秒数或 &quot;off&quot;，而不是 &quot;%1&quot;。</translation>
    </message>
    <message>
        <source>Address %1 was not imported: a peertun profile has one tunnel address.</source>
        <translation>Address %1 未导入：peertun 配置只有一个隧道地址。</translation>
    </message>
    <message>
        <source>AllowedIPs %1 of %2 was not imported: the tunnel address is of the other IP family.</source>
        <translation>%2 的 AllowedIPs %1 未导入：隧道地址属于另一个 IP 地址族。</translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 is half of a split default route, which peertun does not support; to send all traffic through the tunnel write %3 instead of both halves.</source>
        <translation>对端 %2 的子网 %1 是拆分默认路由的一半，peertun 不支持这种写法；若要让所有流量经过隧道，请写 %3，而不是两个一半。</translation>
    </message>
    <message>
        <source>The subnet %1 of peer %2 contains this host&apos;s own tunnel address %3 but not its whole network %5. List only the addresses behind the peer (a subnet that leaves out %3), the whole network %5, or %4 to send all traffic through the tunnel.</source>
        <translation>对端 %2 的子网 %1 包含本机自己的隧道地址 %3，但不包含其整个网络 %5。请只列出对端后面的地址（一个不包含 %3 的子网）、整个网络 %5，或者写 %4 让所有流量经过隧道。</translation>
    </message>
    <message>
        <source>a character that changes the text direction</source>
        <translation>改变文字方向的字符</translation>
    </message>
    <message>
        <source>an invisible formatting character</source>
        <translation>不可见的格式字符</translation>
    </message>
    <message>
        <source>a line or paragraph separator</source>
        <translation>行分隔符或段落分隔符</translation>
    </message>
    <message>
        <source>an invisible character</source>
        <translation>不可见字符</translation>
    </message>
    <message>
        <source>The %1 %2 contains %3 (U+%4), which is not allowed: names are shown in other users&apos; logs and lists, where such a character hides or reorders text. Remove it.</source>
        <translation>%1 %2 含有%3（U+%4），这是不允许的：名称会显示在其他用户的日志和列表中，这种字符会隐藏文字或打乱文字顺序。请删除它。</translation>
    </message>
    <message>
        <source>Routing loop: the endpoint %1 of peer %2 lies inside the tunnel&apos;s own network %3 (interface.address), so the tunnel&apos;s own packets to it would be routed into the tunnel. Give the peer&apos;s address on the network that carries the tunnel (reachable without it) as its endpoint, or choose a tunnel network that does not contain %4.</source>
        <translation>路由环路：对端 %2 的端点 %1 位于隧道自身的网络 %3（interface.address）之内，隧道发往它的数据包会被路由回隧道。请把对端在承载隧道的网络上的地址（不经隧道即可到达）作为端点，或选择不包含 %4 的隧道网络。</translation>
    </message>
    <message>
        <source>it contains &apos;%1&apos;, which is not ASCII; write an internationalized name in its &quot;xn--&quot; form</source>
        <translation>其中含有非 ASCII 字符“%1”；国际化域名请写成“xn--”形式</translation>
    </message>
    <message>
        <source>it contains %1; a host name has only letters, digits, &apos;-&apos; and &apos;.&apos;</source>
        <translation>其中含有 %1；主机名只能由字母、数字、“-”和“.”组成</translation>
    </message>
    <message>
        <source>it is %1 bytes long; at most %2 are allowed</source>
        <translation>它有 %1 字节；最多允许 %2 字节</translation>
    </message>
    <message>
        <source>it has an empty label (a &apos;.&apos; at the start or end, or two in a row)</source>
        <translation>其中有空标签（开头或结尾是“.”，或连续两个“.”）</translation>
    </message>
    <message>
        <source>the label %1 is %2 bytes long; a label has at most %3</source>
        <translation>标签 %1 有 %2 字节；一个标签最多 %3 字节</translation>
    </message>
    <message>
        <source>the label %1 starts or ends with &apos;-&apos;</source>
        <translation>标签 %1 以“-”开头或结尾</translation>
    </message>
    <message>
        <source>its last label is a number, so it is neither a name nor an IPv4 address</source>
        <translation>最后一个标签是数字，因此它既不是主机名也不是 IPv4 地址</translation>
    </message>
    <message>
        <source>10.211.55.123:8285 or vpn.example.net:51820</source>
        <translation>10.211.55.123:8285 或 vpn.example.net:51820</translation>
    </message>
    <message>
        <source>%1 is a host name, but a listen address must be an IP address of this host (or left out for all addresses)</source>
        <translation>%1 是主机名，但监听地址必须是本机的 IP 地址（或留空以监听所有地址）</translation>
    </message>
    <message>
        <source>the host name %1 is not valid: %2</source>
        <translation>主机名 %1 无效：%2</translation>
    </message>
    <message>
        <source>The host name %1 is not valid: %2.</source>
        <translation>主机名 %1 无效：%2。</translation>
    </message>
    <message>
        <source>%1 is a host name; interface.listen needs an IP address of this host, or &quot;:%2&quot; for all addresses.</source>
        <translation>%1 是主机名；interface.listen 需要本机的 IP 地址，或用“:%2”监听所有地址。</translation>
    </message>
    <message>
        <source>The endpoint of peer %1 has both a host name and an address; give one.</source>
        <translation>对端 %1 的端点同时有主机名和地址；请只给出其中一个。</translation>
    </message>
    <message>
        <source>No ListenPort: the tunnel listens on a random free UDP port, as wg-quick does.</source>
        <translation>没有 ListenPort：隧道像 wg-quick 一样监听一个随机的空闲 UDP 端口。</translation>
    </message>
    <message>
        <source>The DNS domain %1 is empty; give a domain such as corp.example.</source>
        <translation>DNS 域名 %1 为空；请填写域名，例如 corp.example。</translation>
    </message>
    <message>
        <source>The DNS domain %1 is %2 characters long; at most %3 are allowed.</source>
        <translation>DNS 域名 %1 长 %2 个字符；最多允许 %3 个。</translation>
    </message>
    <message>
        <source>The DNS domain %1 ends in a number; if it is meant as an IP address, it is not a valid one.</source>
        <translation>DNS 域名 %1 以数字结尾；如果它是 IP 地址，那也不是有效的地址。</translation>
    </message>
    <message>
        <source>The DNS domain %1 has an empty label (two dots in a row or a leading dot).</source>
        <translation>DNS 域名 %1 含有空标签（连续两个点或以点开头）。</translation>
    </message>
    <message>
        <source>The DNS domain %1 has a label of %2 characters; at most %3 are allowed.</source>
        <translation>DNS 域名 %1 中有一个 %2 个字符的标签；最多允许 %3 个。</translation>
    </message>
    <message>
        <source>The DNS domain %1 has characters other than letters, digits, &apos;-&apos; and &apos;.&apos; (write internationalized names in their xn-- form).</source>
        <translation>DNS 域名 %1 含有字母、数字、“-”和“.”以外的字符（国际化域名请写成 xn-- 形式）。</translation>
    </message>
    <message>
        <source>The DNS domain %1 has a label that starts or ends with &apos;-&apos;.</source>
        <translation>DNS 域名 %1 中有以“-”开头或结尾的标签。</translation>
    </message>
    <message>
        <source>The DNS server is wrong: %1.</source>
        <translation>DNS 服务器有误：%1。</translation>
    </message>
    <message>
        <source>The DNS entry %1 is neither an IP address nor a domain name.</source>
        <translation>DNS 条目 %1 既不是 IP 地址也不是域名。</translation>
    </message>
    <message>
        <source>interface.dns lists %1 servers; at most %2 are allowed.</source>
        <translation>interface.dns 列出了 %1 个服务器；最多允许 %2 个。</translation>
    </message>
    <message>
        <source>interface.dns lists %1 domains; at most %2 are allowed.</source>
        <translation>interface.dns 列出了 %1 个域名；最多允许 %2 个。</translation>
    </message>
    <message>
        <source>The DNS server %1 is not a plain IPv4 or IPv6 address.</source>
        <translation>DNS 服务器 %1 不是普通的 IPv4 或 IPv6 地址。</translation>
    </message>
    <message>
        <source>The DNS server %1 is %2, not a server&apos;s address.</source>
        <translation>DNS 服务器 %1 是%2，不是服务器的地址。</translation>
    </message>
    <message>
        <source>The DNS server %1 is listed twice.</source>
        <translation>DNS 服务器 %1 列出了两次。</translation>
    </message>
    <message>
        <source>The DNS domain %1 is listed twice.</source>
        <translation>DNS 域名 %1 列出了两次。</translation>
    </message>
    <message>
        <source>interface.dns has domains but no server to ask for them; add the tunnel&apos;s DNS server.</source>
        <translation>interface.dns 有域名，但没有可查询的服务器；请添加隧道的 DNS 服务器。</translation>
    </message>
    <message>
        <source>The kill switch is on but no peer has an endpoint: this host would only wait for peers to call while all its other traffic is blocked. Give the server&apos;s endpoint, or turn the kill switch off on a server.</source>
        <translation>已开启断网保护，但没有任何对端有端点：本机只能等待对端连入，而其他所有流量都被阻断。请填写服务器的端点，或在服务器上关闭断网保护。</translation>
    </message>
    <message>
        <source>Routing loop: the endpoint %1 of peer %2 lies inside the subnet %3 of peer %4, so the tunnel&apos;s own packets to it would be routed into the tunnel. Give the peer&apos;s address on the network that carries the tunnel (reachable without it) as its endpoint, or leave %5 out of the subnets (split %3 around it).</source>
        <translation>路由环路：对端 %2 的端点 %1 位于对端 %4 的子网 %3 之内，隧道发往它的数据包会被路由回隧道。请把对端在承载隧道的网络上的地址（不经隧道即可到达）作为端点，或从子网中去掉 %5（把 %3 拆开绕过它）。</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true 或 false</translation>
    </message>
    <message>
        <source>A mesh profile gets its tunnel address from its subnet lease in etcd; leave interface.address out.</source>
        <translation>网格配置从 etcd 中的子网租约获得隧道地址；请不要填写 interface.address。</translation>
    </message>
    <message>
        <source>A mesh profile needs a fixed listen port, which its lease tells the other hosts; give interface.listen, e.g. &quot;:51820&quot;.</source>
        <translation>网格配置需要固定的监听端口，租约会把它告诉其他主机；请填写 interface.listen，例如 &quot;:51820&quot;。</translation>
    </message>
    <message>
        <source>A profile has either &quot;peers&quot; or &quot;mesh&quot;, not both: a mesh profile gets its peers from etcd.</source>
        <translation>配置只能有 &quot;peers&quot; 或 &quot;mesh&quot; 之一，不能两者都有：网格配置从 etcd 获得对端。</translation>
    </message>
    <message>
        <source>%1 must be an absolute file path, but it is %2.</source>
        <translation>%1 必须是绝对文件路径，但它是 %2。</translation>
    </message>
    <message>
        <source>%1 contains a control character.</source>
        <translation>%1 含有控制字符。</translation>
    </message>
    <message>
        <source>%1 is empty; give an etcd endpoint such as &quot;http://10.0.0.1:2379&quot;.</source>
        <translation>%1 为空；请填写 etcd 端点，例如 &quot;http://10.0.0.1:2379&quot;。</translation>
    </message>
    <message>
        <source>%1 must start with http:// or https://, like &quot;http://10.0.0.1:2379&quot;.</source>
        <translation>%1 必须以 http:// 或 https:// 开头，例如 &quot;http://10.0.0.1:2379&quot;。</translation>
    </message>
    <message>
        <source>%1 is not a valid URL: %2.</source>
        <translation>%1 不是有效的 URL：%2。</translation>
    </message>
    <message>
        <source>%1 has a user name or password in it; use mesh.username and mesh.password instead.</source>
        <translation>%1 中含有用户名或密码；请改用 mesh.username 和 mesh.password。</translation>
    </message>
    <message>
        <source>%1 has a path, query or fragment; an etcd endpoint is only scheme, address and port, like &quot;http://10.0.0.1:2379&quot;.</source>
        <translation>%1 含有路径、查询或片段；etcd 端点只包含协议、地址和端口，例如 &quot;http://10.0.0.1:2379&quot;。</translation>
    </message>
    <message>
        <source>%1 does not name an IP address; host names are not accepted for etcd endpoints, so give an IPv4 or IPv6 address (with TLS, one that etcd&apos;s certificate names).</source>
        <translation>%1 不是 IP 地址；etcd 端点不接受主机名，请填写 IPv4 或 IPv6 地址（使用 TLS 时，须是 etcd 证书中列出的地址）。</translation>
    </message>
    <message>
        <source>%1 has port 0; etcd&apos;s client port is usually 2379.</source>
        <translation>%1 的端口为 0；etcd 的客户端端口通常是 2379。</translation>
    </message>
    <message>
        <source>The mesh prefix %1 must start with &apos;/&apos;, like &quot;%2&quot;.</source>
        <translation>网格前缀 %1 必须以 &apos;/&apos; 开头，例如 &quot;%2&quot;。</translation>
    </message>
    <message>
        <source>The mesh prefix %1 must not end with &apos;/&apos;.</source>
        <translation>网格前缀 %1 不能以 &apos;/&apos; 结尾。</translation>
    </message>
    <message>
        <source>The mesh prefix is %1 characters long; at most %2 are allowed.</source>
        <translation>网格前缀长 %1 个字符；最多允许 %2 个。</translation>
    </message>
    <message>
        <source>The mesh prefix %1 may hold only printable ASCII without spaces.</source>
        <translation>网格前缀 %1 只能包含不含空格的可打印 ASCII 字符。</translation>
    </message>
    <message>
        <source>mesh.etcd lists no etcd endpoint; give at least one, such as &quot;http://10.0.0.1:2379&quot;.</source>
        <translation>mesh.etcd 没有列出 etcd 端点；请至少填写一个，例如 &quot;http://10.0.0.1:2379&quot;。</translation>
    </message>
    <message>
        <source>mesh.etcd lists %1 endpoints; at most %2 are allowed.</source>
        <translation>mesh.etcd 列出了 %1 个端点；最多允许 %2 个。</translation>
    </message>
    <message>
        <source>mesh.etcd[%1] and mesh.etcd[%2] are the same endpoint.</source>
        <translation>mesh.etcd[%1] 和 mesh.etcd[%2] 是同一个端点。</translation>
    </message>
    <message>
        <source>mesh.certFile and mesh.keyFile go together: a client certificate needs its private key; give both or neither.</source>
        <translation>mesh.certFile 和 mesh.keyFile 必须同时给出：客户端证书需要其私钥；请两者都填或都不填。</translation>
    </message>
    <message>
        <source>TLS files are given but an endpoint in mesh.etcd uses http://; use https:// for every endpoint.</source>
        <translation>已给出 TLS 文件，但 mesh.etcd 中有端点使用 http://；请所有端点都使用 https://。</translation>
    </message>
    <message>
        <source>mesh.password is given without mesh.username.</source>
        <translation>给出了 mesh.password，但没有 mesh.username。</translation>
    </message>
    <message>
        <source>mesh.username must be at most 128 characters without control characters.</source>
        <translation>mesh.username 最多 128 个字符，且不能含控制字符。</translation>
    </message>
    <message>
        <source>mesh.leaseTtl is %1 seconds; it must be %2 to %3 (a keep-alive goes every third of it, and one that times out must leave time for the next).</source>
        <translation>mesh.leaseTtl 为 %1 秒；它必须在 %2 到 %3 之间（每隔其三分之一发送一次保活，超时的那一次必须给下一次留出时间）。</translation>
    </message>
</context>
<context>
    <name>peertun::ProfileEditor</name>
    <message>
        <source>Edit profile</source>
        <translation>编辑配置</translation>
    </message>
    <message>
        <source>Profile editor</source>
        <translation>配置编辑器</translation>
    </message>
    <message>
        <source>Profile &amp;name:</source>
        <translation>配置名称(&amp;N)：</translation>
    </message>
    <message>
        <source>office</source>
        <translation>office</translation>
    </message>
    <message>
        <source>Shown in the list and used as the tunnel&apos;s name.</source>
        <translation>显示在列表中，并用作隧道名称。</translation>
    </message>
    <message>
        <source>&amp;Interface:</source>
        <translation>接口(&amp;I)：</translation>
    </message>
    <message>
        <source>peertun0</source>
        <translation>peertun0</translation>
    </message>
    <message>
        <source>Name of the network device (at most 15 bytes).</source>
        <translation>网络设备名称（最多 15 字节）。</translation>
    </message>
    <message>
        <source>&amp;Address:</source>
        <translation>地址(&amp;A)：</translation>
    </message>
    <message>
        <source>10.244.2.2/24</source>
        <translation>10.244.2.2/24</translation>
    </message>
    <message>
        <source>This host&apos;s address inside the tunnel, with prefix length.</source>
        <translation>本机在隧道中的地址，带前缀长度。</translation>
    </message>
    <message>
        <source>&amp;MTU:</source>
        <translation>&amp;MTU：</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Leave empty to use the path MTU minus the encapsulation overhead.</source>
        <translation>留空则使用路径 MTU 减去封装开销。</translation>
    </message>
    <message>
        <source>&amp;Listen on:</source>
        <translation>监听地址(&amp;L)：</translation>
    </message>
    <message>
        <source>:8285 (any address)</source>
        <translation>:8285（任意地址）</translation>
    </message>
    <message>
        <source>Local UDP address and port, e.g. 10.211.55.122:8285 or :8285.</source>
        <translation>本地 UDP 地址和端口，例如 10.211.55.122:8285 或 :8285。</translation>
    </message>
    <message>
        <source>Plain (unencrypted, flannel compatible)</source>
        <translation>明文（不加密，兼容 flannel）</translation>
    </message>
    <message>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <source>M&amp;ode:</source>
        <translation>模式(&amp;O)：</translation>
    </message>
    <message>
        <source>P&amp;eers:</source>
        <translation>对端(&amp;E)：</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation>端点</translation>
    </message>
    <message>
        <source>Subnets</source>
        <translation>子网</translation>
    </message>
    <message>
        <source>Peers</source>
        <translation>对端</translation>
    </message>
    <message>
        <source>Peer errors</source>
        <translation>对端错误</translation>
    </message>
    <message>
        <source>A&amp;dd peer</source>
        <translation>添加对端(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Remove peer</source>
        <translation>删除对端(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>New profile</source>
        <translation>新建配置</translation>
    </message>
    <message>
        <source>Edit profile %1</source>
        <translation>编辑配置 %1</translation>
    </message>
    <message>
        <source>WireGuard (encrypted)</source>
        <translation>WireGuard（加密）</translation>
    </message>
    <message>
        <source>Plain mode sends packets unencrypted: use it only on networks you trust. WireGuard works with any WireGuard peer.</source>
        <translation>明文模式不加密数据包：只在可信网络中使用。WireGuard 可与任何 WireGuard 对端互通。</translation>
    </message>
    <message>
        <source>&amp;Private key:</source>
        <translation>私钥(&amp;P)：</translation>
    </message>
    <message>
        <source>output of &quot;wg genkey&quot;</source>
        <translation>“wg genkey” 的输出</translation>
    </message>
    <message>
        <source>This host&apos;s WireGuard private key (a secret; stays in your profile file, mode 0600).</source>
        <translation>本机的 WireGuard 私钥（机密信息；只保存在您的配置文件中，权限 0600）。</translation>
    </message>
    <message>
        <source>Public key</source>
        <translation>公钥</translation>
    </message>
    <message>
        <source>Keepalive (s)</source>
        <translation>保活间隔（秒）</translation>
    </message>
    <message>
        <source>Preshared key</source>
        <translation>预共享密钥</translation>
    </message>
    <message>
        <source>Tunnel is up</source>
        <translation>隧道正在运行</translation>
    </message>
    <message>
        <source>&amp;Generate key pair</source>
        <translation>生成密钥对(&amp;G)</translation>
    </message>
    <message>
        <source>Generate key pair</source>
        <translation>生成密钥对</translation>
    </message>
    <message>
        <source>Fills in a new random private key; give the public key to the peers.</source>
        <translation>填入一个新的随机私钥；请把公钥交给对端。</translation>
    </message>
    <message>
        <source>derived from the private key</source>
        <translation>由私钥推导</translation>
    </message>
    <message>
        <source>This host&apos;s public key, derived from the private key; give it to the peers.</source>
        <translation>本机的公钥，由私钥推导而来；请把它交给对端。</translation>
    </message>
    <message>
        <source>Cop&amp;y</source>
        <translation>复制(&amp;Y)</translation>
    </message>
    <message>
        <source>Copy public key</source>
        <translation>复制公钥</translation>
    </message>
    <message>
        <source>Copies the public key to the clipboard.</source>
        <translation>把公钥复制到剪贴板。</translation>
    </message>
    <message>
        <source>Public key:</source>
        <translation>公钥：</translation>
    </message>
    <message>
        <source>Replace the private key? Peers that know the old public key will not accept this host until they get the new one.</source>
        <translation>要替换私钥吗？只知道旧公钥的对端在拿到新公钥之前不会接受本机。</translation>
    </message>
    <message>
        <source>Connect &amp;when I log in</source>
        <translation>登录时连接(&amp;W)</translation>
    </message>
    <message>
        <source>When you log in, peertun starts in the tray and connects this profile.</source>
        <translation>登录时，peertun 在托盘中启动并连接此配置。</translation>
    </message>
    <message>
        <source>peer %1</source>
        <translation>第 %1 个对端</translation>
    </message>
    <message>
        <source>peer “%1”</source>
        <translation>对端“%1”</translation>
    </message>
    <message>
        <source>the %1 of %2</source>
        <translation>%2的%1</translation>
    </message>
    <message>
        <source>the %1 field</source>
        <translation>“%1”字段</translation>
    </message>
    <message>
        <source>DNS ser&amp;vers and domains:</source>
        <translation>DNS 服务器和域(&amp;V)：</translation>
    </message>
    <message>
        <source>10.2.0.1, corp.example</source>
        <translation>10.2.0.1, corp.example</translation>
    </message>
    <message>
        <source>As wg-quick&apos;s DNS line: addresses are the tunnel&apos;s DNS servers, other entries search domains. Given to systemd-resolved for the tunnel.</source>
        <translation>与 wg-quick 的 DNS 行相同：地址是隧道的 DNS 服务器，其他条目是搜索域。连接时交给 systemd-resolved 用于该隧道。</translation>
    </message>
    <message>
        <source>&amp;Kill switch: block all traffic outside the tunnel</source>
        <translation>终止开关：阻断隧道之外的所有流量(&amp;K)</translation>
    </message>
    <message>
        <source>While the tunnel is connected, and if it breaks, nothing leaves this computer except through the tunnel, until you disconnect it.</source>
        <translation>隧道连接期间以及隧道中断时，除经由隧道外没有任何流量离开本机，直到你断开连接。</translation>
    </message>
    <message>
        <source>Proposed because this profile sends all traffic through the tunnel.</source>
        <translation>已建议开启，因为此配置将所有流量经由隧道发送。</translation>
    </message>
    <message>
        <source>Kill switch</source>
        <translation>终止开关</translation>
    </message>
    <message>
        <source>Allow the lo&amp;cal network while the kill switch is on</source>
        <translation>终止开关开启时允许访问本地网络(&amp;C)</translation>
    </message>
    <message>
        <source>Printers, file shares and the router on this computer&apos;s own networks stay reachable.</source>
        <translation>本机所在网络中的打印机、文件共享和路由器仍可访问。</translation>
    </message>
    <message>
        <source>Endpoint: the peer&apos;s IP address or host name and UDP port (10.211.55.123:8285, vpn.example.net:51820). Subnets: networks reached through the peer, separated by commas (0.0.0.0/0 and ::/0 send all traffic through the tunnel).</source>
        <translation>端点：对端的 IP 地址或主机名以及 UDP 端口（10.211.55.123:8285、vpn.example.net:51820）。子网：经由该对端可达的网络，用逗号分隔（0.0.0.0/0 和 ::/0 会让所有流量经由隧道）。</translation>
    </message>
    <message>
        <source>This profile&apos;s tunnel is up. A change of its peers alone is applied to it as you save; for other changes it keeps its old settings until you reconnect it, which the main window offers after saving.</source>
        <translation>此配置的隧道已连接。只更改对端时，保存即对其生效；其他更改要等重新连接后才生效，保存后主窗口会提供重新连接。</translation>
    </message>
    <message>
        <source>Fixed peers (listed below)</source>
        <translation>固定对端（列在下方）</translation>
    </message>
    <message>
        <source>Mesh: the members of a network in etcd</source>
        <translation>网格：etcd 中网络的成员</translation>
    </message>
    <message>
        <source>Peers from</source>
        <translation>对端来源</translation>
    </message>
    <message>
        <source>A mesh joins a network whose members, subnets and keys live in etcd (flannel&apos;s layout): this host takes a subnet lease, which decides its address, and every other member is a peer, as members come and go.</source>
        <translation>网格加入一个成员、子网和密钥都保存在 etcd 中的网络（flannel 的布局）：本机获取一个子网租约，由它决定本机地址；其他每个成员都是对端，随成员加入和离开而变化。</translation>
    </message>
    <message>
        <source>Peers &amp;from:</source>
        <translation>对端来源(&amp;F)：</translation>
    </message>
    <message>
        <source>http://10.0.0.1:2379</source>
        <translation>http://10.0.0.1:2379</translation>
    </message>
    <message>
        <source>Etcd endpoints</source>
        <translation>etcd 端点</translation>
    </message>
    <message>
        <source>The etcd cluster&apos;s client URLs, one per line or separated by commas: http:// or https:// with an IP address and port.</source>
        <translation>etcd 集群的客户端 URL，每行一个或用逗号分隔：http:// 或 https://，加上 IP 地址和端口。</translation>
    </message>
    <message>
        <source>E&amp;tcd endpoints:</source>
        <translation>etcd 端点(&amp;T)：</translation>
    </message>
    <message>
        <source>Key prefi&amp;x:</source>
        <translation>键前缀(&amp;X)：</translation>
    </message>
    <message>
        <source>Where the network&apos;s keys live in etcd; empty: %1 (flannel&apos;s is /coreos.com/network).</source>
        <translation>网络的键在 etcd 中的位置；留空为 %1（flannel 使用 /coreos.com/network）。</translation>
    </message>
    <message>
        <source>CA file:</source>
        <translation>CA 文件：</translation>
    </message>
    <message>
        <source>none (optional)</source>
        <translation>无（可选）</translation>
    </message>
    <message>
        <source>TLS: the CA certificate (PEM) that signed etcd&apos;s certificate; needs https:// endpoints.</source>
        <translation>TLS：签发 etcd 证书的 CA 证书（PEM）；需要 https:// 端点。</translation>
    </message>
    <message>
        <source>Client certificate:</source>
        <translation>客户端证书：</translation>
    </message>
    <message>
        <source>TLS: this host&apos;s client certificate (PEM), with its key file.</source>
        <translation>TLS：本机的客户端证书（PEM），需配合其密钥文件。</translation>
    </message>
    <message>
        <source>Client key:</source>
        <translation>客户端密钥：</translation>
    </message>
    <message>
        <source>TLS: the client certificate&apos;s private key (PEM).</source>
        <translation>TLS：客户端证书的私钥（PEM）。</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>etcd authentication: the user name.</source>
        <translation>etcd 认证：用户名。</translation>
    </message>
    <message>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <source>etcd authentication: the password (a secret; stays in your profile file, mode 0600).</source>
        <translation>etcd 认证：密码（机密；保存在你的配置文件中，权限 0600）。</translation>
    </message>
    <message>
        <source>Live peer change</source>
        <translation>在线更改对端</translation>
    </message>
    <message>
        <source>In a mesh, the mode must be the network&apos;s backend: WireGuard joins a network whose backend is &quot;wireguard&quot;.</source>
        <translation>在网格中，模式必须与网络的后端一致：WireGuard 加入后端为“wireguard”的网络。</translation>
    </message>
    <message>
        <source>In a mesh, the mode must be the network&apos;s backend: Plain joins a network whose backend is &quot;udp&quot; (flannel&apos;s UDP backend).</source>
        <translation>在网格中，模式必须与网络的后端一致：明文模式加入后端为“udp”（flannel 的 UDP 后端）的网络。</translation>
    </message>
    <message>
        <source>etcd endpoint %1</source>
        <translation>第 %1 个 etcd 端点</translation>
    </message>
    <message>
        <source>Applying the new peers to the running tunnel %1…</source>
        <translation>正在把新对端应用到运行中的隧道 %1…</translation>
    </message>
    <message>
        <source>The running tunnel did not take the new peers, so nothing was saved: %1</source>
        <translation>运行中的隧道未接受新对端，因此没有保存任何内容：%1</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Browse for the CA file</source>
        <translation>浏览 CA 文件</translation>
    </message>
    <message>
        <source>Browse for the client certificate</source>
        <translation>浏览客户端证书</translation>
    </message>
    <message>
        <source>Browse for the client key</source>
        <translation>浏览客户端密钥</translation>
    </message>
    <message>
        <source>Choose the CA file</source>
        <translation>选择 CA 文件</translation>
    </message>
    <message>
        <source>Choose the client certificate</source>
        <translation>选择客户端证书</translation>
    </message>
    <message>
        <source>Choose the client key</source>
        <translation>选择客户端密钥</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>Su&amp;bnet lease time:</source>
        <translation>子网租约时长(&amp;B)：</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <source>How long this host&apos;s subnet lease in etcd lasts, in seconds (%1 to %2): a keep-alive renews it every third of it, and when they stop, the lease runs out and the other members drop this host.</source>
        <translation>本机在 etcd 中的子网租约的有效时长，单位为秒（%1 到 %2）：每隔其三分之一发送一次保活来续约；保活停止后，租约到期，其他成员会移除本机。</translation>
    </message>
    <message>
        <source>PEM files (*.pem *.crt *.key);;All files (*)</source>
        <translation>PEM 文件 (*.pem *.crt *.key);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>peertun::ProfileStore</name>
    <message>
        <source>The file is larger than %1 KiB.</source>
        <translation>文件大于 %1 KiB。</translation>
    </message>
    <message>
        <source>The file cannot be read: %1</source>
        <translation>无法读取文件：%1</translation>
    </message>
    <message>
        <source>The file name does not match the profile name &quot;%1&quot;.</source>
        <translation>文件名与配置名称“%1”不一致。</translation>
    </message>
    <message>
        <source>Cannot create the profile folder %1.</source>
        <translation>无法创建配置目录 %1。</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>%1 could not be read and is kept as it is; fix or remove that file first, or choose another name.</source>
        <translation>%1 无法读取，已原样保留；请先修正或删除该文件，或换一个名称。</translation>
    </message>
    <message>
        <source>A profile named &quot;%1&quot; already exists.</source>
        <translation>名为“%1”的配置已存在。</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1 已存在。</translation>
    </message>
    <message>
        <source>There is no profile named &quot;%1&quot;.</source>
        <translation>没有名为“%1”的配置。</translation>
    </message>
    <message>
        <source>Cannot remove %1.</source>
        <translation>无法删除 %1。</translation>
    </message>
    <message>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <source>%1 (copy %2)</source>
        <translation>%1（副本 %2）</translation>
    </message>
    <message>
        <source>%1 is larger than %2 KiB.</source>
        <translation>%1 大于 %2 KiB。</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>Cannot create the folder of %1.</source>
        <translation>无法创建 %1 所在的文件夹。</translation>
    </message>
    <message>
        <source>Connects the tunnels marked &quot;Connect when I log in&quot;</source>
        <translation>连接标记为“登录时连接”的隧道</translation>
    </message>
</context>
<context>
    <name>peertun::ThroughputGraph</name>
    <message>
        <source>Throughput graph</source>
        <translation>吞吐量图</translation>
    </message>
    <message>
        <source>Bytes per second received and sent over the last five minutes</source>
        <translation>最近五分钟每秒接收和发送的字节数</translation>
    </message>
    <message>
        <source>Now: received %1, sent %2</source>
        <translation>当前：接收 %1，发送 %2</translation>
    </message>
    <message numerus="yes">
        <source>last %n minute(s)</source>
        <translation>
            <numerusform>最近 %n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>received</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>No traffic data yet</source>
        <translation>还没有流量数据</translation>
    </message>
</context>
<context>
    <name>peertun::TrayIcon</name>
    <message>
        <source>peertun</source>
        <translation>peertun</translation>
    </message>
</context>
<context>
    <name>peertun::TunnelController</name>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Profile %1 saved; the tunnel runs the old settings until it is reconnected.</source>
        <translation>配置 %1 已保存；在重新连接之前，隧道仍使用旧的设置。</translation>
    </message>
    <message>
        <source>the file is larger than 256 KiB</source>
        <translation>文件大于 256 KiB</translation>
    </message>
    <message>
        <source>WireGuard config %1 not imported: %2</source>
        <translation>未导入 WireGuard 配置 %1：%2</translation>
    </message>
    <message>
        <source>A profile named %1 exists already; the new one is called %2.</source>
        <translation>已存在名为 %1 的配置；新配置命名为 %2。</translation>
    </message>
    <message>
        <source>Imported WireGuard config %1 as profile %2.</source>
        <translation>已将 WireGuard 配置 %1 导入为配置 %2。</translation>
    </message>
    <message>
        <source>Profile %1 deleted; the tunnel %2 stays up until it is disconnected.</source>
        <translation>配置 %1 已删除；隧道 %2 会一直运行，直到被断开。</translation>
    </message>
    <message>
        <source>Profile %1 sends all traffic through the tunnel: its kill switch is on (turn it off in the editor if you do not want it).</source>
        <translation>配置 %1 将所有流量经由隧道发送：已开启其终止开关（如果不需要，请在编辑器中关闭）。</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>The tunnel %1 took peers after their editor was closed without saving; reconnect it to run the saved profile.</source>
        <translation>编辑器未保存就已关闭，但隧道 %1 仍接受了新对端；请重新连接以运行已保存的配置。</translation>
    </message>
</context>
</TS>
