"""`netplugin preflight`: the connectivity checklist measured on the candidate nodes.

One concern per module, each returning checklist results (bot.core.preflight.ItemResult) whose
words come from templates/messages.yaml:

    protocol.py  the probe datagrams the listener answers (a magic prefix, a probe id, a size)
    listener.py  `preflight listen`: answers UDP probes and accepts TCP connections, for a while
    udp.py       one UDP probe to one peer, with bounded retries (vxlan-port)
    pmtu.py      the path MTU to one peer, with don't-fragment probes (vxlan-mtu)
    tcp.py       TCP reachability of the edge-ports item's ports (edge-ports)
    bgp.py       BGP messages (RFC 4271) and one OPEN exchange with a gateway (bgp-vswitch)
    routes.py    the host's routes against the planned CIDRs (cidr-overlap)
    check.py     which items to measure, towards whom, all bounded in count and time
    report.py    the report POSTed to the bot for a decision's thread

Nothing here touches an address the user did not name: the peers, the BGP peer and the Raven
gateway come from the command line, and the listener binds the one address it is given. It
imports the core and the renderer's words, never the Slack app, the runtime or the log: the
CLI reads a decision and passes what the check needs.
"""
