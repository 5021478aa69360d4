import type * as vscode from 'vscode';
import { Views, windowViews } from './views';

/** Inkwell's log, shown in the Output panel under "Inkwell". */
export class Logger implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(views: Views = windowViews) {
    this.channel = views.createLogOutputChannel('Inkwell');
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(message, ...args);
  }
  error(message: string | Error, ...args: unknown[]): void {
    this.channel.error(message, ...args);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
