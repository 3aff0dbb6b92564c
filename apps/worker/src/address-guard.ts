import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * Outbound calls may not reach loopback, private, link-local or cloud-metadata addresses unless a
 * deployment allows them. Checked on the address actually connected to (after DNS), on every redirect.
 */
export class AddressGuard {
  private readonly blocked = new BlockList();
  private readonly allowed = new BlockList();
  private readonly allowedHosts = new Set<string>();

  constructor(allow: string[] = []) {
    for (const [net, bits] of [
      ['0.0.0.0', 8],
      ['10.0.0.0', 8],
      ['100.64.0.0', 10],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['172.16.0.0', 12],
      ['192.0.0.0', 24],
      ['192.168.0.0', 16],
      ['198.18.0.0', 15],
      ['224.0.0.0', 4],
      ['240.0.0.0', 4],
    ] as const)
      this.blocked.addSubnet(net, bits, 'ipv4');
    // no rule for ::ffff:0:0/96: BlockList judges IPv4-mapped IPv6 by the IPv4 rules, and that rule would match every IPv4 address
    for (const [net, bits] of [
      ['::', 128],
      ['::1', 128],
      ['fc00::', 7],
      ['fe80::', 10],
      ['ff00::', 8],
    ] as const) {
      this.blocked.addSubnet(net, bits, 'ipv6');
    }
    for (const raw of allow.map((s) => s.trim()).filter(Boolean)) {
      const [addr, bits] = raw.split('/');
      const family = isIP(addr);
      if (family === 4) this.allowed.addSubnet(addr, bits ? Number(bits) : 32, 'ipv4');
      else if (family === 6) this.allowed.addSubnet(addr, bits ? Number(bits) : 128, 'ipv6');
      else this.allowedHosts.add(raw.toLowerCase());
    }
  }

  /** Why an address may not be reached, or null when it may. */
  refuse(address: string, host?: string): string | null {
    if (host && this.allowedHosts.has(host.toLowerCase())) return null;
    const family = isIP(address);
    if (family === 0) return `'${address}' is not an IP address`;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(address, type)) return null;
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) is judged as the IPv4 address it maps
    const mapped = family === 6 && /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return this.refuse(mapped[1], host);
    if (this.blocked.check(address, type))
      return `address ${address}${host ? ` of ${host}` : ''} is loopback, private, link-local or reserved, and not in HTTP_ALLOW`;
    return null;
  }

  /** A dns.lookup replacement for http.request that refuses forbidden answers at connect time. */
  lookup = (
    hostname: string,
    options: object,
    callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    if (hostname.toLowerCase() === 'metadata.google.internal' && !this.allowedHosts.has('metadata.google.internal')) {
      callback(new Error(`host ${hostname} is a cloud metadata service`), '', 4);
      return;
    }
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const why = this.refuse(a.address, hostname);
        if (why) return callback(new Error(why), '', 4);
      }
      if ((options as { all?: boolean }).all) callback(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}
