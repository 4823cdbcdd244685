import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import protobuf from 'protobufjs';
import { envoyProtoRoots, packageRoot } from '../../common/paths.js';

/**
 * Checks an Envoy config (as parsed YAML) against Envoy's own protos, with no Envoy binary: every key must be a
 * field of its message, every enum value must exist, and every `@type` must name a message that the protos define
 * (whose fields are then checked in turn). Well-known types are taken as Envoy's YAML writes them.
 */
export class EnvoySchema {
  private readonly root = new protobuf.Root();
  private readonly loadedDirs = new Set<string>();

  constructor() {
    const roots = [...envoyProtoRoots, resolve(packageRoot, 'node_modules/protobufjs')];
    this.root.resolvePath = (_origin, target) => {
      if (isAbsolute(target)) return target;
      for (const r of roots) {
        const candidate = join(r, target);
        if (existsSync(candidate)) return candidate;
      }
      return target;
    };
    this.root.loadSync(['envoy/config/bootstrap/v3/bootstrap.proto'], { keepCase: true });
  }

  /** Problems found, as `path: what is wrong`; empty when the config fits the protos. */
  validate(config: unknown, rootType = 'envoy.config.bootstrap.v3.Bootstrap'): string[] {
    const problems: string[] = [];
    this.check(config, this.type(rootType)!, '', problems);
    return problems;
  }

  /** The message a type URL names, loading its package's protos on demand. */
  type(fullName: string): protobuf.Type | undefined {
    const found = this.root.lookup(fullName);
    if (found instanceof protobuf.Type) return found;
    const dir = fullName.split('.').slice(0, -1).join('/');
    if (this.loadedDirs.has(dir)) return undefined;
    this.loadedDirs.add(dir);
    const absolute = envoyProtoRoots.map((r) => join(r, dir)).find((d) => existsSync(d));
    if (!absolute) return undefined;
    const files = readdirSync(absolute).filter((f) => f.endsWith('.proto')).map((f) => join(dir, f));
    this.root.loadSync(files, { keepCase: true });
    const loaded = this.root.lookup(fullName);
    return loaded instanceof protobuf.Type ? loaded : undefined;
  }

  private check(value: unknown, type: protobuf.Type, path: string, problems: string[]): void {
    type.resolveAll();
    const name = type.fullName.replace(/^\./, '');
    if (name === 'google.protobuf.Any') {
      const any = value as Record<string, unknown>;
      const url = any?.['@type'];
      if (typeof url !== 'string' || !url.startsWith('type.googleapis.com/')) {
        problems.push(`${path}: Any without a type.googleapis.com/ @type`);
        return;
      }
      const inner = this.type(url.slice('type.googleapis.com/'.length));
      if (!inner) {
        problems.push(`${path}.@type: ${url} is not a message in Envoy's protos`);
        return;
      }
      const { ['@type']: _ignored, ...rest } = any;
      this.check(rest, inner, path, problems);
      return;
    }
    if (name.startsWith('google.protobuf.')) return; // Duration "0.25s", wrappers as scalars, Struct: Envoy's YAML forms.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${path}: expected a ${name} object`);
      return;
    }
    for (const [key, fieldValue] of Object.entries(value)) {
      const field = type.fields[key];
      const at = path ? `${path}.${key}` : key;
      if (!field) {
        problems.push(`${at}: ${name} has no field "${key}"`);
        continue;
      }
      field.resolve();
      if (field.map) {
        for (const [k, v] of Object.entries(fieldValue as Record<string, unknown>)) this.checkValue(v, field, `${at}.${k}`, problems);
      } else if (field.repeated) {
        if (!Array.isArray(fieldValue)) problems.push(`${at}: expected a list`);
        else fieldValue.forEach((v, i) => this.checkValue(v, field, `${at}[${i}]`, problems));
      } else {
        this.checkValue(fieldValue, field, at, problems);
      }
    }
  }

  private checkValue(value: unknown, field: protobuf.Field, path: string, problems: string[]): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) this.check(value, resolved, path, problems);
    else if (resolved instanceof protobuf.Enum && typeof value === 'string' && !(value in resolved.values)) {
      problems.push(`${path}: "${value}" is not a value of ${resolved.fullName.replace(/^\./, '')}`);
    }
  }
}
