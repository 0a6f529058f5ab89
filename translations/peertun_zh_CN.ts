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
        <source>C&amp;lear</source>
        <translation>清空(&amp;L)</translation>
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
        <source>&amp;Profiles</source>
        <translation>配置(&amp;P)</translation>
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
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Interface %1, address %2, listening on %3, %n peer(s)</source>
        <translation>
            <numerusform>接口 %1，地址 %2，监听 %3，%n 个对端</numerusform>
        </translation>
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
        <source>%1: connected, ↓ %2 ↑ %3</source>
        <translation>%1：已连接，↓ %2 ↑ %3</translation>
    </message>
    <message>
        <source>peertun: no tunnel is up</source>
        <translation>peertun：没有运行中的隧道</translation>
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
        <source>Delete the profile %1? A tunnel that is up stays up.</source>
        <translation>删除配置 %1？已连接的隧道会保持连接。</translation>
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
        <source>Plain (unencrypted, seed/flannel compatible)</source>
        <translation>明文（不加密，兼容原始程序和 flannel）</translation>
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
        <source>&amp;Peers:</source>
        <translation>对端(&amp;P)：</translation>
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
        <source>Endpoint: the peer&apos;s IP address and UDP port (10.211.55.123:8285). Subnets: networks reached through the peer, separated by commas.</source>
        <translation>端点：对端的 IP 地址和 UDP 端口（10.211.55.123:8285）。子网：经由该对端到达的网络，用逗号分隔。</translation>
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
        <source>Peer %1, %2: %3</source>
        <translation>对端 %1，%2：%3</translation>
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
</TS>
