import { Token } from 'aws-cdk-lib';
import { EventBus, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bindEventBus, type PublishAccess } from './bindings';

export interface PlatformEventsProps {
  /**
   * The EventBridge bus capabilities publish their domain events to. The account's default bus exists
   * in every region, costs nothing at rest and is where users' own rules look first.
   * @default 'default'
   */
  readonly eventBusName?: string;
}

/**
 * Where capabilities publish domain events (model version approved, alias moved, ...): an existing
 * EventBridge bus, referenced rather than created, so deleting a stage never takes a shared bus with it.
 */
export class PlatformEvents extends Construct {
  public readonly bus: IEventBus;

  constructor(scope: Construct, id: string, props: PlatformEventsProps = {}) {
    super(scope, id);
    const eventBusName = props.eventBusName ?? 'default';
    if (!Token.isUnresolved(eventBusName) && !/^[A-Za-z0-9._-]{1,256}$/.test(eventBusName)) {
      throw new Error(
        `PlatformEvents ${id}: eventBusName "${eventBusName}" must be 1 to 256 letters, digits, '.', '_' or '-'`,
      );
    }
    this.bus = EventBus.fromEventBusName(this, 'Bus', eventBusName);
  }

  /** Sets EVENT_BUS_NAME on the function and, with `publish`, lets it put events on this bus (bindEventBus). */
  bindTo(fn: LambdaFunction, options: { readonly access: PublishAccess }): void {
    bindEventBus(this.bus, fn, options);
  }
}
