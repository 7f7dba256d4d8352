// `ubus call system board`: what the router is and which OpenWrt it runs.
import type { DeviceReport } from '../status/status-report.ts';
import { isJsonObject, shortText } from './json-value.ts';
import type { Ubus } from './ubus.ts';

export interface SystemBoard {
  /** e.g. "Linksys E8450 (UBI)" */
  readonly model: string | null;
  /** e.g. "linksys,e8450-ubi" */
  readonly boardName: string | null;
  readonly release: {
    readonly distribution: string | null;
    readonly version: string | null;
    readonly revision: string | null;
    readonly description: string | null;
  };
}

export function parseSystemBoard(value: unknown): SystemBoard {
  const board = isJsonObject(value) ? value : {};
  const release = isJsonObject(board.release) ? board.release : {};
  return {
    model: shortText(board.model),
    boardName: shortText(board.board_name),
    release: {
      distribution: shortText(release.distribution),
      version: shortText(release.version),
      revision: shortText(release.revision),
      description: shortText(release.description),
    },
  };
}

/** "OpenWrt 23.05.3 r23809-234f1a2efa": the description, else its parts; null if none. */
export function releaseText({ release }: SystemBoard): string | null {
  if (release.description) return release.description;
  const parts = [release.distribution, release.version, release.revision].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

/** model, board and release for the status document; empty when ubus cannot tell. */
export async function boardReport(
  ubus: Ubus,
): Promise<Pick<DeviceReport, 'model' | 'board' | 'release'>> {
  let board: SystemBoard;
  try {
    board = parseSystemBoard(await ubus.call('system', 'board'));
  } catch {
    return {};
  }
  const release = releaseText(board);
  return {
    ...(board.model && { model: board.model }),
    ...(board.boardName && { board: board.boardName }),
    ...(release && { release }),
  };
}
