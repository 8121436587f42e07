import { Field, Float, ObjectType, registerEnumType } from "type-graphql";

export enum ImportanceMethod {
  PED_ANOVA = "PED_ANOVA",
  FANOVA = "FANOVA",
}

registerEnumType(ImportanceMethod, {
  name: "ImportanceMethod",
  description: "How Study.paramImportances rates the parameters.",
  valuesConfig: {
    PED_ANOVA: {
      description:
        "PED-ANOVA (Watanabe et al. 2023): how differently each parameter is distributed among the best 10% of trials than among all; fast at any size, and follows the study's direction.",
    },
    FANOVA: {
      description:
        "fANOVA (Hutter et al. 2014), Optuna's default: the share of the objective's variance each parameter explains alone, from a random forest of 32 trees (seeded: the same trials give the same answer).",
    },
  },
});

@ObjectType({ description: "One parameter's share of the importance; the shares of one answer sum to 1." })
export class ParamImportance {
  @Field(() => String)
  name: string;

  @Field(() => Float)
  importance: number;
}
