import { Membership, MembershipChange, invariant } from './types';

/** Sorted, disjoint, with at least one voter: the only shape a membership may take. */
export function membership(voters: readonly number[], learners: readonly number[] = []): Membership {
  const sorted = (ids: readonly number[]) => [...new Set(ids)].sort((a, b) => a - b);
  const result = { voters: sorted(voters), learners: sorted(learners) };
  invariant(result.voters.length > 0, 'a membership has at least one voter');
  invariant(
    result.learners.every((id) => !result.voters.includes(id)),
    'a node is a voter or a learner, not both',
  );
  return result;
}

export function isVoter(m: Membership, id: number): boolean {
  return m.voters.includes(id);
}

export function isMember(m: Membership, id: number): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

export function members(m: Membership): number[] {
  return [...m.voters, ...m.learners];
}

export function quorum(m: Membership): number {
  return Math.floor(m.voters.length / 2) + 1;
}

export function sameMembership(a: Membership, b: Membership): boolean {
  return a.voters.join(',') === b.voters.join(',') && a.learners.join(',') === b.learners.join(',');
}

/**
 * The membership after one single-server change (Raft thesis §4.1), or null when the change
 * does not apply: adding a member, promoting a non-learner, removing a non-member or the last voter.
 */
export function applyChange(m: Membership, change: MembershipChange): Membership | null {
  const { nodeId } = change;
  switch (change.type) {
    case 'addLearner':
      return isMember(m, nodeId) ? null : membership(m.voters, [...m.learners, nodeId]);
    case 'promote':
      return m.learners.includes(nodeId)
        ? membership(
            [...m.voters, nodeId],
            m.learners.filter((id) => id !== nodeId),
          )
        : null;
    case 'remove':
      if (!isMember(m, nodeId) || (m.voters.length === 1 && m.voters[0] === nodeId)) return null;
      return membership(
        m.voters.filter((id) => id !== nodeId),
        m.learners.filter((id) => id !== nodeId),
      );
  }
}

/** Does `next` differ from `previous` by one single-server change (what each config entry must be)? */
export function isSingleServerChange(previous: Membership, next: Membership): boolean {
  const changed = (a: number[], b: number[]) => a.filter((id) => !b.includes(id)).length + b.filter((id) => !a.includes(id)).length;
  return changed(members(previous), members(next)) <= 1 && changed(previous.voters, next.voters) <= 1 && !sameMembership(previous, next);
}

export function encodeMembership(m: Membership): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

export function decodeMembership(data: Uint8Array): Membership {
  const decoded = JSON.parse(new TextDecoder().decode(data)) as Membership;
  return membership(decoded.voters, decoded.learners);
}
