/**
 * Counts the write statements this process sends, per table: a Kysely plugin, so every write path
 * (repositories, transactions, the job queue) is seen without each remembering to say so. Read
 * caches compare the counts of the tables they depend on (Store.changeMarker).
 */
import { TableNode, type KyselyPlugin, type OperationNode, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryResult, type RootOperationNode, type UnknownRow } from 'kysely';

export class TableWrites implements KyselyPlugin {
  private readonly counts = new Map<string, number>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const table = writtenTable(args.node);
    // Counted before the statement runs: a reader that saw the old count re-reads, never the reverse.
    if (table !== undefined) this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  /** The sum of the tables' write counts: it changes whenever one of them is written. */
  count(tables: readonly string[]): number {
    let sum = 0;
    for (const table of tables) sum += this.counts.get(table) ?? 0;
    return sum;
  }
}

function writtenTable(node: RootOperationNode): string | undefined {
  switch (node.kind) {
    case 'InsertQueryNode':
      return node.into?.table.identifier.name;
    case 'UpdateQueryNode':
      return tableName(node.table);
    case 'DeleteQueryNode':
      return tableName(node.from.froms[0]);
    default:
      return undefined;
  }
}

const tableName = (node: OperationNode | undefined): string | undefined => (node && TableNode.is(node) ? node.table.identifier.name : undefined);
