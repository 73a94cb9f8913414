import { type RouteSpec, routeKeyOf } from '../lambdas/shared/http/route';

interface CompiledRoute<H> {
  readonly routeKey: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly staticSegments: number;
  readonly target: H;
}

export interface RouteMatch<H> {
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly target: H;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matches requests to routes the way API Gateway HTTP APIs do: `{name}` takes one path segment,
 * `{name+}` the rest; the most specific route (most literal segments) wins; no match goes to `$default`.
 */
export class Router<H> {
  readonly #routes: CompiledRoute<H>[] = [];

  add(route: Pick<RouteSpec, 'method' | 'path'>, target: H): void {
    const names: string[] = [];
    const segments = route.path.split('/').slice(1);
    const pattern = segments
      .map((segment) => {
        const greedy = /^\{(\w+)\+\}$/.exec(segment);
        if (greedy) {
          names.push(greedy[1]!);
          return '/(.+)';
        }
        const param = /^\{(\w+)\}$/.exec(segment);
        if (param) {
          names.push(param[1]!);
          return '/([^/]+)';
        }
        return `/${escapeRegExp(segment)}`;
      })
      .join('');
    const routeKey = routeKeyOf(route);
    if (this.#routes.some((r) => r.routeKey === routeKey)) throw new Error(`Duplicate route ${routeKey}`);
    this.#routes.push({
      routeKey,
      method: route.method,
      pattern: new RegExp(`^${pattern}$`),
      names,
      staticSegments: segments.filter((s) => !s.startsWith('{')).length,
      target,
    });
    this.#routes.sort((a, b) => b.staticSegments - a.staticSegments);
  }

  match(method: string, path: string): RouteMatch<H> | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      let decoded: string[];
      try {
        decoded = found.slice(1).map((value) => decodeURIComponent(value));
      } catch {
        return undefined;
      }
      const pathParameters = Object.fromEntries(route.names.map((name, i) => [name, decoded[i]!]));
      return {
        routeKey: route.routeKey,
        ...(route.names.length ? { pathParameters } : {}),
        target: route.target,
      };
    }
    return undefined;
  }
}
