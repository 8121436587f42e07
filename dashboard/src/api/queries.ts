// The dashboard's own read queries: each screen asks for what it shows, in as few requests as the
// API allows (the server batches nested fields, so one request covers a page of studies or trials).

/** Trials load in pages of this many (the API's maximum page size). */
export const TRIAL_PAGE = 1000;

export const STUDIES = `
query DashboardStudies($first: Int!, $after: String, $nameContains: String) {
  studies(first: $first, after: $after, nameContains: $nameContains) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name createdAt lastActivityAt directions
      sampler { type }
      pruner { type }
      total: trialCount
      complete: trialCount(states: [COMPLETE])
      pruned: trialCount(states: [PRUNED])
      running: trialCount(states: [RUNNING])
      fail: trialCount(states: [FAIL])
      waiting: trialCount(states: [WAITING])
      bestTrial { number values }
    } }
  }
}`;

export const STUDY = `
query DashboardStudy($id: ID!) {
  study(id: $id) {
    id name createdAt directions objectiveMetric userAttrs
    sampler { type seed options }
    pruner { type options }
    searchSpace { name type low high log choices }
  }
}`;

export const STUDY_TRIALS = `
query DashboardStudyTrials($id: ID!, $first: Int!, $after: String) {
  study(id: $id) {
    trials(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id number state values params startedAt completedAt } }
    }
  }
}`;

/** Objective curves of a range of trials, downsampled on the server. */
export const STUDY_CURVES = `
query DashboardStudyCurves($id: ID!, $first: Int!, $after: String, $metric: String!, $maxPoints: Int!) {
  study(id: $id) {
    trials(first: $first, after: $after) {
      edges { node { id number state metrics(names: [$metric], maxPoints: $maxPoints) { points { step value } } } }
    }
  }
}`;

export const PARETO = `
query DashboardPareto($id: ID!) {
  study(id: $id) { bestTrials { id number values } }
}`;

export const TRIAL = `
query DashboardTrial($id: ID!, $maxPoints: Int!) {
  trial(id: $id) {
    id number state values params userAttrs owner searchId retryOf
    startedAt completedAt heartbeatAt pruneReason failReason
    study { id name objectiveMetric directions }
    metrics(maxPoints: $maxPoints) { name points { step value } }
  }
}`;

export const STUDY_SEARCHES = `
query DashboardSearches($id: ID!) {
  study(id: $id) {
    id name
    searches {
      id state nTrials timeoutSeconds concurrency maxRetries task endReason
      completedTrials runningTrials prunedTrials failedTrials createdAt startedAt endedAt
      evaluation { state metrics }
      bestTrial { id number values }
    }
  }
}`;

/** Which fields the served schema has, for features that arrive with newer servers. */
export const STUDY_FIELDS = `
query DashboardStudyFields {
  __type(name: "Study") {
    fields {
      name
      args { name defaultValue type { kind name ofType { kind name ofType { kind name } } } }
      type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
    }
  }
}`;
