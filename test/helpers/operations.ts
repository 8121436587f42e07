/** GraphQL documents the integration tests share. */
export const CREATE_STUDY = `mutation($input: CreateStudyInput!) {
  createStudy(input: $input) { id name directions objectiveMetric userAttrs
    sampler { type seed options } pruner { type options }
    searchSpace { name type low high log step choices } }
}`;
export const ASK = `mutation($studyId: ID!) { askTrial(studyId: $studyId) { id number state params } }`;
export const TELL = `mutation($trialId: ID!, $state: TrialState!, $values: [Float!]) {
  tellTrial(trialId: $trialId, state: $state, values: $values) { id number state values completedAt }
}`;
export const REPORT = `mutation($trialId: ID!, $points: [MetricPointInput!]!) {
  reportMetrics(trialId: $trialId, points: $points) { shouldPrune reason }
}`;
export const ENQUEUE = `mutation($studyId: ID!, $params: JSON!) { enqueueTrial(studyId: $studyId, params: $params) { id number state params } }`;
export const SUGGEST = `mutation($trialId: ID!, $spec: ParamSpecInput!) { suggestParam(trialId: $trialId, spec: $spec) }`;
export const PRUNE = `mutation($trialId: ID!, $reason: String) { pruneTrial(trialId: $trialId, reason: $reason) { id state values pruneReason } }`;
