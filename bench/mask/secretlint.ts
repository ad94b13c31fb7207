// secretlint with its recommended preset on one text: what bench/mask compares portcullis with.
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';

export const secretlint = (content: string) =>
  lintSource({
    source: { filePath: '/bench/input.txt', content, contentType: 'text', ext: '.txt' },
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] } },
  });
