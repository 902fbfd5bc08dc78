// The theme applied before the first paint (inline script in the root layout's <head>).
/**
 * Runs before the first paint (inline in <head>): applies the saved theme (localStorage `theme`:
 * light, dark or system) as the `dark` class on <html>, following the system while it is "system".
 */
export const THEME_SCRIPT = `(function(){try{var m=window.matchMedia('(prefers-color-scheme: dark)');var a=function(){var s=localStorage.getItem('theme')||'system';var d=s==='dark'||(s==='system'&&m.matches);document.documentElement.classList.toggle('dark',d);document.documentElement.style.colorScheme=d?'dark':'light';};a();m.addEventListener('change',a);window.addEventListener('storage',a);window.__applyTheme=a;}catch(e){}})();`;

