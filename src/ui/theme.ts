// Themes: YAML files in themes/ map semantic tokens to colours (truecolour and a hand-chosen
// 16-colour mapping) plus attributes that carry meaning without colour. The parts live in
// src/ui/theme/: tokens (what a theme is), detect (what the terminal can show), schema (theme
// files and their warnings), build (styles for a colour mode), load (finding and falling back).
export * from './theme/tokens.js';
export { colorModeFromEnv } from './theme/detect.js';
export { parseThemeText, type ThemeFile, type ThemeParseResult } from './theme/schema.js';
export { THEMES_DIR, listThemes, loadTheme } from './theme/load.js';
