import { Injectable } from '@nestjs/common';
import { Activity } from 'yieldflow/nest';

/** A service with side effects. Coroutines reach it only through `activity()`: once per step, after the sleep is due. */
@Injectable()
export class MailerService {
  readonly sent: string[] = [];

  @Activity('mailer.send')
  async send(args: { to: string; subject: string }): Promise<{ sent: number }> {
    this.sent.push(`${args.to}: ${args.subject}`);
    return { sent: this.sent.length };
  }
}
